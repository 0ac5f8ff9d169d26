"""The case keeps its pupil's date of birth and startkwalificatie date (ADR 0024): added
nullable, copied from the pupils in one statement, then required."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_pupil_dates(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Pupil = apps.get_model("registration", "Pupil")
    pupil = Pupil.objects.filter(pk=OuterRef("pupil_id")).order_by()
    Case.objects.update(
        pupil_born_on=Subquery(pupil.values("date_of_birth")[:1]),
        pupil_startkwalificatie_on=Subquery(pupil.values("startkwalificatie_on")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_event_contact_index"),
        ("registration", "0006_pupil_consent_age_band"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="pupil_born_on",
            field=models.DateField(
                editable=False, null=True, verbose_name="geboortedatum van de leerling"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="pupil_startkwalificatie_on",
            field=models.DateField(
                editable=False,
                null=True,
                verbose_name="startkwalificatie van de leerling behaald op",
            ),
        ),
        migrations.RunPython(copy_pupil_dates, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="case",
            name="pupil_born_on",
            field=models.DateField(editable=False, verbose_name="geboortedatum van de leerling"),
        ),
    ]
