import datetime

from dateutil.relativedelta import relativedelta
from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone


def _band(date_of_birth: datetime.date, day: datetime.date) -> int:
    # Frozen here: a migration does not import the rules it may outlive.
    before = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    age = day.year - date_of_birth.year - before
    return 16 if age >= 16 else 12 if age >= 12 else 0


def fill_bands(apps, schema_editor):
    """The band the sharing flags were computed for: at the last consent statement (when
    report_sharing_refresh last ran); without one, today's (nothing was ever shared by
    consent). A pupil who has moved on since is caught up by the next sweep."""
    Pupil = apps.get_model("registration", "Pupil")
    today = timezone.localdate()
    pupils = Pupil.objects.filter(consent_age_band__isnull=True)
    without = pupils.filter(consents__isnull=True)
    for band, years, younger in ((16, 16, None), (12, 12, 16), (0, None, 12)):
        q = models.Q()
        if years is not None:
            q &= models.Q(date_of_birth__lte=today - relativedelta(years=years))
        if younger is not None:
            q &= models.Q(date_of_birth__gt=today - relativedelta(years=younger))
        without.filter(q).update(consent_age_band=band)
    by_band: dict[int, list[int]] = {0: [], 12: [], 16: []}
    for pk, date_of_birth, last in (
        pupils.filter(consents__isnull=False)
        .annotate(last=Max("consents__created_at"))
        .values_list("pk", "date_of_birth", "last")
        .iterator()
    ):
        by_band[_band(date_of_birth, timezone.localtime(last).date())].append(pk)
    for band, ids in by_band.items():
        for start in range(0, len(ids), 1000):
            Pupil.objects.filter(pk__in=ids[start : start + 1000]).update(consent_age_band=band)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_action_read_denied"),
        ("registration", "0005_access_is_earned"),
    ]

    operations = [
        migrations.AddField(
            model_name="pupil",
            name="consent_age_band",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="pupil",
            index=models.Index(
                fields=["consent_age_band", "date_of_birth"], name="reg_pupil_consent_band_idx"
            ),
        ),
        migrations.RunPython(fill_bands, migrations.RunPython.noop, elidable=True),
    ]
