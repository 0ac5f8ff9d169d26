"""The system as an actor: the escalation sweep, the demo data, a management command.

Services take ``actor: User | SystemActor``. A person's checks (capability, scope) apply to a
``User``; a ``SystemActor`` holds no memberships, so every capability check refuses it, and
only the services that say so let it through (``is_system``). The audit log names it
(``AuditLogEntry.system_actor``). ``None`` is refused with a TypeError: a caller that forgets
its actor must not skip the checks.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .models import User

if TYPE_CHECKING:
    from typing_extensions import TypeIs


@dataclass(frozen=True)
class SystemActor:
    name: str

    # To the access layer it is nobody: not signed in, no memberships, no capabilities.
    is_authenticated: ClassVar[bool] = False
    pk: ClassVar[None] = None

    def __str__(self) -> str:
        return f"system:{self.name}"


SWEEP = SystemActor("sweep")  # the escalation sweep: deadlines passed, timed steps
DEMO = SystemActor("demo")  # the demo region's seeders (DEMO_MODE only)
COMMAND = SystemActor("command")  # a management command run by technical staff
RETENTION = SystemActor("retention")  # the daily purge of cases past their retention

Actor = User | SystemActor


def is_system(actor: object) -> "TypeIs[SystemActor]":
    """Whether the system acts, so that a person's checks do not apply; refuses None."""
    if actor is None:
        raise TypeError("actor=None: pass the user, or a SystemActor (thuiszitters.system).")
    return isinstance(actor, SystemActor)


def acting_user(actor: Actor) -> User | None:
    """The user to store as the one who did it (journal, ``created_by``): None for the
    system, whose name the audit log keeps."""
    return None if is_system(actor) or not isinstance(actor, User) else actor
