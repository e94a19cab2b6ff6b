"""A wave's season (autumn, spring, summer) and a staff response's role.

Existing waves take their season from their opening date
(:func:`learnsurvey.analysis.timeline.season_of`); existing responses are pupils' (no role)."""

from django.db import migrations, models

from learnsurvey.analysis.seasons import season_of


def fill_seasons(apps, schema_editor):  # type: ignore[no-untyped-def]
    Wave = apps.get_model("waves", "Wave")
    for wave in Wave.objects.filter(season="").only("id", "opens").iterator():
        Wave.objects.filter(pk=wave.pk).update(season=season_of(wave.opens))


class Migration(migrations.Migration):
    dependencies = [
        ("waves", "0004_publication"),
    ]

    operations = [
        migrations.AddField(
            model_name="wave",
            name="season",
            field=models.CharField(
                blank=True,
                choices=[("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")],
                help_text="The term the wave runs in. Left blank, it is taken from the opening date.",
                max_length=10,
                verbose_name="season",
            ),
        ),
        migrations.AddField(
            model_name="response",
            name="role",
            field=models.CharField(
                blank=True,
                default="",
                db_default="",
                help_text="A staff response's role id (the staff instrument's demographics.roles); blank for pupils.",
                max_length=30,
            ),
        ),
        migrations.RunPython(fill_seasons, migrations.RunPython.noop),
    ]
