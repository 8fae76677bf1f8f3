"""The speech gate: what a model wrote must pass these checks before anyone hears it.

A small model loops, talks as the candidate or as a podcast host, writes lists, and makes
up dates and names when asked about the process; a reply that fails is written again once
with a tighter instruction, then replaced by a fixed line (agents/worker/writer.py). How
long a reply may be and how far back a repeat counts are the profile's settings.
"""

import re
from dataclasses import dataclass

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
WORD = re.compile(r"[$€£]?\d[\d.,:]*%?|[A-Za-z][A-Za-z'’-]*")
# Words that state a quantity or a time: said only when the facts say them. ("one" is left
# out: "a good one" states nothing; "first" too: "first, the team reviews it"; and "May",
# "am": "May I", "I am".)
FACT_WORDS = frozenset(
    {
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "thousand",
        "million",
        "billion",
        "dozen",
        "second",
        "third",
        "fourth",
        "fifth",
        "minute",
        "hour",
        "day",
        "week",
        "weekend",
        "fortnight",
        "month",
        "year",
        "quarter",
        "today",
        "tomorrow",
        "tonight",
        "yesterday",
        "morning",
        "afternoon",
        "evening",
        "noon",
        "midnight",
        "o'clock",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    }
)
# Long words any answer may use besides its facts: referring, thanking, apologising. Words
# count as the same by their first five letters ("recruiters", "recruiting").
PLAIN_WORDS = frozenset(
    word[:5]
    for word in [
        "about",
        "above",
        "after",
        "again",
        "ahead",
        "always",
        "answer",
        "anything",
        "asked",
        "because",
        "before",
        "being",
        "certainly",
        "clear",
        "could",
        "course",
        "definitely",
        "depends",
        "detail",
        "everything",
        "exactly",
        "further",
        "great",
        "happy",
        "hello",
        "honest",
        "information",
        "interest",
        "later",
        "least",
        "little",
        "might",
        "other",
        "please",
        "pleasure",
        "question",
        "really",
        "recruiter",
        "right",
        "share",
        "should",
        "someone",
        "something",
        "sorry",
        "still",
        "thank",
        "their",
        "there",
        "these",
        "thing",
        "think",
        "those",
        "though",
        "through",
        "unfortunately",
        "until",
        "welcome",
        "where",
        "whether",
        "which",
        "while",
        "would",
        "yours",
        "yourself",
    ]
)
# More long words than this that are in neither the facts, the candidate's question nor
# the plain words, and an answer is saying something it was not told.
MAX_NEW_WORDS = 1
# Capitalised mid-sentence without naming anything.
NOT_NAMES = frozenset({"i", "i'm", "i'll", "i've", "i'd", "ok", "okay"})


@dataclass(frozen=True)
class GateLimits:
    max_sentences: int
    max_words: int
    # A sentence said in any of this many earlier interviewer turns may not come back.
    repeat_window: int


def gate_limits(profile):
    """The limits a provider profile sets (ProviderProfile.gate_*)."""
    return GateLimits(
        max_sentences=profile.gate_max_sentences,
        max_words=profile.gate_max_words,
        repeat_window=profile.gate_repeat_window,
    )


def sentences(text):
    return [part for part in SENTENCE_END.split(text.strip()) if part.strip()]


def _key(sentence):
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", sentence.lower()).split())


def _word_key(word):
    """A word as the facts are searched for it: lower case, no plural, no trailing dot."""
    word = word.lower().replace("’", "'").rstrip(".,:")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def ungrounded_words(text, facts):
    """The words of `text` that state a number, a time or a name the `facts` don't contain.

    A name is a capitalised word that does not start a sentence (one that starts it is not
    told from any other first word); numbers and times are digits, number words, and words
    of the calendar and the clock. Words count as the same without case or plural.
    """
    known = {_word_key(word) for word in WORD.findall(facts)}
    found = []
    for sentence in sentences(text):
        for index, word in enumerate(WORD.findall(sentence)):
            key = _word_key(word)
            stated = (
                any(ch.isdigit() for ch in word)
                or key in FACT_WORDS
                or (index > 0 and word[0].isupper() and key not in NOT_NAMES)
            )
            if stated and key not in known and word not in found:
                found.append(word)
    return found


def _long_words(text):
    return [word for word in WORD.findall(text) if len(word) >= 5 and word.isalpha()]


def new_words(text, *, facts, asked=""):
    """The long words of `text` that are in neither `facts`, the question `asked`, nor plain
    words: what an answer says beyond what it was given ("the field of software development")."""
    known = {word.lower()[:5] for word in _long_words(f"{facts} {asked}")} | PLAIN_WORDS
    found = []
    for word in _long_words(text):
        if word.lower()[:5] not in known and word.lower() not in found:
            found.append(word.lower())
    return found


def gate_problems(text, *, limits, recent=(), question_due=True, facts=None, asked=""):
    """Why `text` may not be spoken (plain phrases), or [] when it passes.

    `recent` are the interviewer's earlier turns, newest last. With `facts` (what the model
    was told), the reply answers the candidate's question `asked`: it may state no number,
    time or name that is not in the facts, and say little beyond the facts and the question.
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
    if len(parts) > limits.max_sentences:
        problems.append(f"it has {len(parts)} sentences")
    if len(text.split()) > limits.max_words:
        problems.append(f"it has {len(text.split())} words")
    recent = list(recent)
    said = {
        _key(sentence)
        for turn in recent[max(0, len(recent) - limits.repeat_window) :]
        for sentence in sentences(turn)
        if len(_key(sentence).split()) >= REPEAT_MIN_WORDS
    }
    own = [_key(sentence) for sentence in parts]
    if any(key in said for key in own) or len(set(own)) < len(own):
        problems.append("it repeats a sentence")
    if question_due and not text.endswith("?"):
        problems.append("it does not end on a question")
    if facts is not None:
        if invented := ungrounded_words(text, facts):
            problems.append(f"it states a fact it was not given ({', '.join(invented)})")
        if len(beyond := new_words(text, facts=facts, asked=asked)) > MAX_NEW_WORDS:
            problems.append(f"it says what it was not told ({', '.join(beyond)})")
    return problems
