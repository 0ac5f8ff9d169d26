"""Demo pupils, absence reports, consent and whole case files for the demo region.

Registered with ``thuiszitters.demo.register_demo_seeder`` in ``CasesConfig.ready()``, so
``manage.py seed_demo --pupils N`` fills the schools of "Regio Lingemond" (the schools of
SWV PO 99-01 and VO 99-01) with fictional pupils, after the region's convenants.

The pupils, their parents and enrolments are written in bulk (``pupils.py``). Everything
that happens to a reported pupil goes through the services, by the people whose job it is:
the school's zorgcoordinator files the reports through the intake, which opens the case, and
records the consent (``reports.py``); the route is taken through the escalation app's
services (``route.py``); the lead keeps the case file with the case services
(``casefile.py``). Each story is planned first, in pure Python (``plans.py``,
``stories.py``, ``fileplan.py``), and each step is then dated on its day in the story
(``timetravel.py``).

Deterministic and idempotent:

- Pupil number ``i`` draws from its own ``random.Random(f"{seed}:{i}")``, so it is the same
  whatever ``--pupils`` says and whatever ran before it.
- Demo pupils carry the BSNs from ``900000000`` upward that pass the elfproef, the ``i``-th
  demo pupil the ``i``-th of them; this range is reserved for demo data. A run counts the demo
  pupils that exist and adds only numbers from there to ``pupils``: a second run with the same
  arguments writes nothing, and a larger ``--pupils`` adds the missing pupils.
"""

from .care import seed_care_partner_invitations
from .plans import BSN_FIRST, demo_bsns
from .pupils import demo_pupils_queryset, lead_history_complete
from .route import register_route_step
from .seeder import DEFAULT_PUPILS, seed_pupils
from .showcase import CASE_SHOWCASE, SHOWCASE
from .stories import PHASE_MIN_WEEKS

__all__ = [
    "BSN_FIRST",
    "CASE_SHOWCASE",
    "DEFAULT_PUPILS",
    "PHASE_MIN_WEEKS",
    "SHOWCASE",
    "demo_bsns",
    "demo_pupils_queryset",
    "lead_history_complete",
    "register_route_step",
    "seed_care_partner_invitations",
    "seed_pupils",
]
