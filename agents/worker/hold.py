"""The candidate asking for time ("let me think") holds the turn instead of ending it.

A turn that ends on such words is not an answer: the interviewer stays quiet for up to
HOLD_SECONDS more, and the words are kept for the answer that follows. A candidate who
says nothing more gets the reply then, so the interview never stalls.
"""

import re

HOLD_SECONDS = 10.0
# Only the last clause counts: "Let me think. I used Redis." is an answer.
HOLD_CLAUSE_WORDS = 8
HOLD_PHRASES = re.compile(
    r"\b(let me (think|see|recall|remember|check)|give me (a|one) (moment|second|sec|minute)"
    r"|(just |one )(a )?(moment|second|sec|minute)|hold on|hang on|bear with me"
    r"|i need (a|to) (moment|second|think))\b"
)


def asks_for_time(text):
    """True when the candidate's words end by asking for a moment to think."""
    clauses = [c for c in re.split(r"[.!?;]+", (text or "").lower()) if c.strip()]
    if not clauses:
        return False
    last = clauses[-1]
    return len(last.split()) <= HOLD_CLAUSE_WORDS and bool(HOLD_PHRASES.search(last))
