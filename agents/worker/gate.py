"""The speech gate: what a model wrote must pass these checks before anyone hears it.

A small model loops, talks as the candidate or as a podcast host, and writes lists; a
reply that fails is written again once with a tighter instruction, then replaced by the
plan's next fixed line (agents/worker/writer.py).
"""

import re

MAX_SENTENCES = 2
MAX_WORDS = 40
# A sentence said in any of this many earlier interviewer turns (about a whole interview)
# may not come back.
REPEAT_WINDOW = 12
# Sentences this short ("Thank you.") may repeat.
REPEAT_MIN_WORDS = 4

MARKUP = re.compile(r"[*_#`<>\[\]{}|~]|https?://|^\s*(-|\d+[.)])\s", re.MULTILINE)
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")
ROLE_CONFUSION = re.compile(
    r"\b(as an ai|an ai (language )?model|ai assistant|language model|i'?m an ai|i am an ai|"
    r"virtual assistant|chatbot|podcast|my (guest|show|channel|listeners)|welcome to the show|"
    r"system prompt|my instructions|i was (told|instructed)|"
    r"my resume|my cv|hire me|i applied|i'?m applying|i have \d+ years|"
    r"in my (last|previous|current) (job|role|position)|i worked (at|on|as|for)|i'?ve worked)\b"
    r"|^\s*(interviewer|candidate|user|assistant|system)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text):
    return [part for part in SENTENCE_END.split(text.strip()) if part.strip()]


def _key(sentence):
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", sentence.lower()).split())


def gate_problems(text, *, recent=(), question_due=True):
    """Why `text` may not be spoken (plain phrases), or [] when it passes.

    `recent` are the interviewer's earlier turns, newest last.
    """
    text = text.strip()
    if not text:
        return ["it is empty"]
    problems = []
    if MARKUP.search(text) or EMOJI.search(text):
        problems.append("it has markup")
    if ROLE_CONFUSION.search(text):
        problems.append("it speaks out of role")
    parts = sentences(text)
    if len(parts) > MAX_SENTENCES:
        problems.append(f"it has {len(parts)} sentences")
    if len(text.split()) > MAX_WORDS:
        problems.append(f"it has {len(text.split())} words")
    said = {
        _key(sentence)
        for turn in list(recent)[-REPEAT_WINDOW:]
        for sentence in sentences(turn)
        if len(_key(sentence).split()) >= REPEAT_MIN_WORDS
    }
    own = [_key(sentence) for sentence in parts]
    if any(key in said for key in own) or len(set(own)) < len(own):
        problems.append("it repeats a sentence")
    if question_due and not text.endswith("?"):
        problems.append("it does not end on a question")
    return problems
