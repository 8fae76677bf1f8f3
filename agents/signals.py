"""What happens to interviews, for the apps that tell people about it (mail, webhooks).

Each is sent once the change is committed, with ids only; receivers enqueue their own work.

- `interview_link_issued(interview_id)`: a new candidate link (created or replaced);
- `interview_ended(interview_id, status)`: completed or failed;
- `report_finished(interview_id, status)`: the report is ready or could not be written.
"""

from django.db import transaction
from django.dispatch import Signal

interview_link_issued = Signal()
interview_ended = Signal()
report_finished = Signal()


def send_on_commit(signal, **kwargs):
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
