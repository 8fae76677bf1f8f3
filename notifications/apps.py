from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Email to candidates and recruiters"

    def ready(self):
        from agents.signals import interview_ended, interview_link_issued, report_finished
        from notifications import receivers

        interview_link_issued.connect(receivers.on_link_issued, dispatch_uid="mail-link-issued")
        interview_ended.connect(receivers.on_interview_ended, dispatch_uid="mail-interview-ended")
        report_finished.connect(receivers.on_report_finished, dispatch_uid="mail-report-finished")
