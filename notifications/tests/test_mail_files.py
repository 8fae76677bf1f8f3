"""Without an SMTP server (the embedded default), each mail is written as a file."""

import pytest

from notifications.models import MailLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def test_without_email_host_the_invitation_is_written_to_the_mail_folder(
    mail_folder, eager_tasks, scheduled_interview
):
    interview, secret = scheduled_interview

    [written] = mail_folder.iterdir()
    content = written.read_text()
    assert "Subject: Your interview for Backend engineer" in content
    assert f"/join/{secret}/" in content
    assert MailLog.objects.get(interview=interview).status == MailLog.Status.SENT
