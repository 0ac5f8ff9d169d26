from typing import TypeVar

from django.db import models
from django.dispatch import receiver
from django.utils.autoreload import file_changed
from django.utils.encoding import force_str
from django.utils.translation import get_language

_M = TypeVar("_M", bound=models.Model)


# (field, language) -> value -> label in that language.
_CHOICE_LABELS: dict = {}
_MISSING = object()


class ChoiceLabels:
    """``get_FOO_display()`` from the field's labels as translated once per language.

    Django's own turns the field's whole list of choices into a hashable tuple on every call,
    and hashing a lazy label translates it: the journal of one case page (40 kinds of event)
    translated over a thousand texts per page view (docs/performance.md); translating only
    the label returned still cost a catalogue lookup per row. Put it before ``models.Model``
    in the bases of a model whose labels are shown in lists."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            return choice_label(field, value)
        except TypeError:  # an unhashable value; Django's version copes with those
            return super()._get_FIELD_display(field)


def choice_label(field: models.Field, value):
    """``field``'s label for ``value`` in the current language, as ``get_FOO_display()``
    gives it (the value itself when it is not a choice): for rows read without a model
    instance (``precompiled_rows``). Raises ``TypeError`` for an unhashable value."""
    key = (field, get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:  # once per field and language: a list asks for it on every row
        labels = _CHOICE_LABELS[key] = {
            choice: force_str(label, strings_only=True) for choice, label in field.flatchoices
        }
    label = labels.get(value, _MISSING)
    return force_str(value, strings_only=True) if label is _MISSING else label


@receiver(file_changed)
def _forget_labels(file_path, **kwargs) -> None:
    """A catalogue changed (the development server reloads it without a restart)."""
    if file_path.suffix == ".mo":
        _CHOICE_LABELS.clear()


class AuditBypassError(RuntimeError):
    """A bulk write would change audited rows without an audit entry per row."""


class AuditedQuerySet(models.QuerySet[_M]):
    """QuerySet of a model whose changes must reach the audit log.

    ``update()``, ``delete()`` and ``bulk_update()`` write many rows without calling the
    services that record each change, so they are refused. Change rows through the app's
    services (which call ``thuiszitters.audit``). ``Model.save()`` and ``Model.delete()``
    of a single instance do not go through these methods and keep working.
    """

    def update(self, **kwargs):
        raise AuditBypassError(
            f"Bulk update of {self.model._meta.label} bypasses the audit log; use a service."
        )

    def delete(self):
        raise AuditBypassError(
            f"Bulk delete of {self.model._meta.label} bypasses the audit log; use a service."
        )

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditBypassError(
            f"bulk_update of {self.model._meta.label} bypasses the audit log; use a service."
        )

    def update_audited(self, entries, **kwargs) -> int:
        """The bulk update for batch services (the escalation sweep): the audit entries that
        describe it are written with it, so the audit log stays complete."""
        _write_entries(entries)
        return super().update(**kwargs)

    # Django's delete collector needs this for cascades; it is not a public bulk write.
    # (Function attributes Django reads; the stubs do not know them.)
    delete.queryset_only = True  # type: ignore[attr-defined]
    update.queryset_only = True  # type: ignore[attr-defined]


def _write_entries(entries) -> None:
    """``entries``: the ``AuditLogEntry`` instances of the change, or a
    ``thuiszitters.audit.AuditBatch`` (the batch services')."""
    from django.db import connection

    from .audit import AuditLogEntry

    if not connection.in_atomic_block:
        raise RuntimeError("Changes are audited inside the transaction of the change.")
    if not len(entries):
        raise AuditBypassError("A bulk change needs the audit entries that describe it.")
    if hasattr(entries, "write"):
        entries.write()
    else:
        AuditLogEntry.objects.bulk_create(entries)
