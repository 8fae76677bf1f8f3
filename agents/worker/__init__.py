"""The agent worker: a separate process that LiveKit dispatches agent "interviewer" to, one job
per interview. It is the only code that imports livekit.agents.

Run it with `python -m agents.worker start` (or `python manage.py runagent start`);
`console` tries the interviewer in a terminal without a room.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
# Job processes import the worker's modules first, so Django must be ready before any model import.
django.setup()
