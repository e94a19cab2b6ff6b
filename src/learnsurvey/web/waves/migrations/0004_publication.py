"""Publications (disclosure rule 9): responses count in a wave's figures once published.

Every response stored before this migration was already shown in the figures, so each wave
with responses gets publication 1 holding all of them."""

import django.db.models.deletion
from django.db import migrations, models


def publish_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    Wave = apps.get_model("waves", "Wave")
    Publication = apps.get_model("waves", "Publication")
    Response = apps.get_model("waves", "Response")
    for wave in Wave.objects.all().iterator():
        pending = Response.objects.filter(wave=wave, publication__isnull=True)
        count = pending.count()
        if count:
            first = Publication.objects.create(wave=wave, number=1, n_responses=count)
            pending.update(publication=first)


class Migration(migrations.Migration):
    dependencies = [
        ("waves", "0003_wave_pupil_wave"),
    ]

    operations = [
        migrations.CreateModel(
            name="Publication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "n_responses",
                    models.PositiveIntegerField(default=0, help_text="Responses it added."),
                ),
                (
                    "wave",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="publications",
                        to="waves.wave",
                    ),
                ),
            ],
            options={
                "ordering": ["wave", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("wave", "number"), name="one_publication_number"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="response",
            name="publication",
            field=models.ForeignKey(
                blank=True,
                help_text="The publication that first counted this response; empty while pending.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="responses",
                to="waves.publication",
            ),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["wave", "publication"], name="response_wave_publication"),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]
