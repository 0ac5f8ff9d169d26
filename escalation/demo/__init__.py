"""The escalation app's part of the demo region (``manage.py seed_demo``).

- ``convenants.py``: sample school holidays and the SWVs' convenants (stage "setup": the
  cases that follow need them for their deadlines and their arbitration).
- ``route.py``: how a demo case takes each step of the route through the escalation
  services, registered with ``cases.demo.register_route_step``; and the deadlines of the
  open demo cases that never left the school (stage "after").
"""

from .convenants import DEMO_REGIONS, DEMO_SWV_PO, seed_demo_convenants, seed_sample_holidays
from .route import ROUTE_STEPS, seed_demo_deadlines


def demo_register() -> None:
    """Called in ``EscalationConfig.ready()``."""
    from cases.demo import register_route_step
    from thuiszitters.demo import register_demo_seeder

    register_demo_seeder(seed_sample_holidays, stage="setup")
    register_demo_seeder(seed_demo_convenants, stage="setup")
    register_demo_seeder(seed_demo_deadlines, stage="after")
    for phase, handler in ROUTE_STEPS.items():
        register_route_step(phase, handler)


__all__ = [
    "DEMO_REGIONS",
    "DEMO_SWV_PO",
    "demo_register",
    "seed_demo_convenants",
    "seed_demo_deadlines",
    "seed_sample_holidays",
]
