"""The figures over time of a series of waves, stored beside the wave's own result."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0002_trustresult"),
        ("waves", "0004_publication"),
    ]

    operations = [
        migrations.CreateModel(
            name="OverTimeResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("computed", models.DateTimeField()),
                ("payload", models.JSONField(default=dict)),
                (
                    "wave",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="over_time_result",
                        to="waves.wave",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="OverTimePart",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("school", "School"), ("trust", "Trust")], max_length=10
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                ("payload", models.JSONField(default=dict)),
                (
                    "result",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parts",
                        to="dashboards.overtimeresult",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("result", "kind", "key"), name="one_over_time_part_per_key"
                    )
                ],
            },
        ),
    ]
