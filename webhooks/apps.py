from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from agents.signals import interview_ended, report_finished
        from resumes.signals import resume_parsed
        from webhooks import receivers

        interview_ended.connect(receivers.on_interview_ended, dispatch_uid="webhooks")
        report_finished.connect(receivers.on_report_finished, dispatch_uid="webhooks")
        resume_parsed.connect(receivers.on_resume_parsed, dispatch_uid="webhooks")
