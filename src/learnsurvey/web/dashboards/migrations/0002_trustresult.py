import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("waves", "0002_registration_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrustResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("trust", models.CharField(max_length=200)),
                ("payload", models.JSONField(default=dict)),
                (
                    "result",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trusts",
                        to="waves.waveresult",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("result", "trust"), name="one_trust_result_per_wave"
                    )
                ],
            },
        ),
    ]
