"""The agent's heartbeat: while an interview is live, it says so in the database.

The reconciler (agents/reconciler.py) fails a live interview whose heartbeat
went quiet: that is how an interview outlives a killed worker only briefly.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from agents import services

logger = logging.getLogger(__name__)


async def heartbeat(interview_id):
    """Beat every AGENT_HEARTBEAT_SECONDS until cancelled; a database that doesn't answer is
    logged and tried again at the next beat (the interview itself goes on without it)."""
    while True:
        try:
            await database_sync_to_async(services.interview_heartbeat)(interview_id=interview_id)
        except Exception as exc:
            logger.warning("interview %s: heartbeat not stored (%s)", interview_id, exc)
        await asyncio.sleep(settings.AGENT_HEARTBEAT_SECONDS)
