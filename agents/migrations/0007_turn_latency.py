from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0006_recording"),
    ]

    operations = [
        migrations.AddField(
            model_name="turnmetrics",
            name="replied_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        *(
            migrations.AddField(
            model_name="turnmetrics",
            name=name,
            field=models.FloatField(blank=True, null=True),
            )
            for name in (
                "on_user_turn_completed_delay",
                "first_sentence_delay",
                "playback_latency",
                "other_delay",
                "reply_seconds",
            )
        ),
    ]
