from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0004_recording"),
    ]

    operations = [
        migrations.AddField(
            model_name="providerprofile",
            name="dynamic_endpointing",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "The pause before replying adapts, between the minimum and the maximum, to "
                    "how long this candidate pauses mid-answer; off, it stays fixed."
                ),
                verbose_name="learn the candidate's pauses",
            ),
        ),
        migrations.AddField(
            model_name="providerprofile",
            name="thinking_sound",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "A quiet typing sound once the candidate has waited a second for a reply."
                ),
                verbose_name="keyboard sound during a long wait",
            ),
        ),
        migrations.AddField(
            model_name="providerprofile",
            name="preemptive_generation",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Saves time on a fast model server; on a busy CPU the extra requests slow "
                    "the real ones down."
                ),
                verbose_name="start replies before the candidate's turn is over",
            ),
        ),
    ]
