"""The thinking sound: only once the wait passes a second, and never over the reply."""

import asyncio

from livekit.agents.voice.events import AgentStateChangedEvent
from livekit.rtc import EventEmitter

from agents.worker.thinking import ThinkingSound


class Player:
    """Records what the sound player was told (the real one publishes a room track)."""

    def __init__(self):
        self.events = []

    def play(self, sound, *, loop):
        self.events.append("play")
        player = self

        class Handle:
            def stop(self):
                player.events.append("stop")

        return Handle()


def state(session, old, new):
    session.emit("agent_state_changed", AgentStateChangedEvent(old_state=old, new_state=new))


async def test_a_quick_reply_has_no_thinking_sound_and_a_slow_one_has_it_until_it_speaks():
    session, player = EventEmitter(), Player()
    ThinkingSound(session, player, after=0.3)

    state(session, "listening", "thinking")
    await asyncio.sleep(0.1)
    state(session, "thinking", "speaking")
    await asyncio.sleep(0.4)
    assert player.events == []

    state(session, "listening", "thinking")
    await asyncio.sleep(0.5)
    assert player.events == ["play"]
    state(session, "thinking", "speaking")
    assert player.events == ["play", "stop"]
