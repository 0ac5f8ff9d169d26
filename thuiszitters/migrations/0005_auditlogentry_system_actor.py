from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_region_case_retention_months"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlogentry",
            name="system_actor",
            field=models.CharField(blank=True, max_length=32, verbose_name="systeem"),
        ),
    ]
