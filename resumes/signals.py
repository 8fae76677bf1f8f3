"""What happens to resumes, for the apps that tell people about it (webhooks).

- `resume_parsed(resume_id)`: sent once the parsed record is committed.
"""

from django.dispatch import Signal

resume_parsed = Signal()
