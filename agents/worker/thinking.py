"""A quiet keyboard sound while the candidate waits longer than THINKING_AFTER for a reply.

A small model on a busy CPU can take several seconds to write a follow-up; silence that
long sounds like a dropped call. The sound starts only once the interviewer has been
thinking for THINKING_AFTER seconds (the usual reply comes sooner and stays unadorned) and
stops the moment it starts speaking. It plays on a track of its own (BackgroundAudioPlayer).
"""

import asyncio

from livekit.agents import AudioConfig, BackgroundAudioPlayer, BuiltinAudioClip

THINKING_AFTER = 1.0
SOUND = AudioConfig(BuiltinAudioClip.KEYBOARD_TYPING, volume=0.4)


class ThinkingSound:
    def __init__(self, session, player, *, after=THINKING_AFTER):
        self.player = player
        self.after = after
        self.timer = None
        self.playing = None
        session.on("agent_state_changed", self._on_state)

    def _on_state(self, event):
        if event.new_state == "thinking":
            if self.timer is None and self.playing is None:
                self.timer = asyncio.create_task(self._play_later())
            return
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.playing is not None:
            self.playing.stop()
            self.playing = None

    async def _play_later(self):
        await asyncio.sleep(self.after)
        self.timer = None
        self.playing = self.player.play(SOUND, loop=True)


async def thinking_sound_start(session, room):
    """Publish the sound's track; the session's state events keep the player alive."""
    player = BackgroundAudioPlayer()
    await player.start(room=room)
    return ThinkingSound(session, player)
