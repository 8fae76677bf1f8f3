"""The agent's heartbeat: while an interview is live, it says so in the database, and
marks the interview live on its model server for the batch work that gives way to it
(providers/llm_slots.py).

The reconciler (agents/reconciler.py) fails a live interview whose heartbeat
went quiet: that is how an interview outlives a killed worker only briefly. The
mark on the model server expires as soon as the reconciler would call it dead.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from agents import selectors, services
from providers import llm_slots

logger = logging.getLogger(__name__)


async def heartbeat(interview_id):
    """Beat every AGENT_HEARTBEAT_SECONDS until cancelled; a database that doesn't answer is
    logged and tried again at the next beat (the interview itself goes on without it)."""
    base_url = ""
    try:
        while True:
            try:
                await database_sync_to_async(services.interview_heartbeat)(
                    interview_id=interview_id
                )
            except Exception as exc:
                logger.warning("interview %s: heartbeat not stored (%s)", interview_id, exc)
            try:
                if not base_url:
                    base_url = await database_sync_to_async(selectors.interview_llm_base_url)(
                        interview_id
                    )
                if base_url:
                    await asyncio.to_thread(
                        llm_slots.live_mark,
                        base_url=base_url,
                        interview_id=interview_id,
                        seconds=settings.AGENT_HEARTBEAT_STALE_SECONDS,
                    )
            except Exception as exc:
                logger.warning(
                    "interview %s: not marked live for batch work (%s)", interview_id, exc
                )
            await asyncio.sleep(settings.AGENT_HEARTBEAT_SECONDS)
    finally:
        if base_url:
            # The interview is over: batch work may go on at once, not at the mark's expiry.
            # One Redis command, sent synchronously: this task is being cancelled.
            try:
                llm_slots.live_clear(base_url=base_url, interview_id=interview_id)
            except Exception as exc:
                logger.warning("interview %s: live mark not cleared (%s)", interview_id, exc)
