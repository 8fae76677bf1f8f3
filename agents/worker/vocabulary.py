"""The words a speech-to-text model can't guess, taken from the resume and the job.

Whisper-style servers take them as the `prompt` of each transcription and then spell
the candidate's employers, schools and tools the way the candidate means them.
"""

import re

# Whisper reads at most 224 tokens of its prompt; a few dozen terms fit well inside.
MAX_TERMS = 40
MAX_CHARS = 600
# In free text, a term is a word with a capital past its first letter, a digit or a
# symbol inside it (PostgreSQL, Node.js, S3, C++, gRPC), or a capitalised word that
# does not start a sentence (Python, Stripe).
_TECHNICAL = re.compile(r"\b\w*[A-Z0-9+#.]\w*[+#]*|\b[A-Z][a-z]+\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)([A-Z][a-z]+)\b")


def _resume_terms(resume):
    for job in resume.get("work") or []:
        yield job.get("name")
        yield job.get("position")
    for school in resume.get("education") or []:
        yield school.get("institution")
        yield school.get("area")
    for project in resume.get("projects") or []:
        yield project.get("name")
    for skill in resume.get("skills") or []:
        yield skill.get("name")
        yield from skill.get("keywords") or []
    for certificate in resume.get("certificates") or []:
        yield certificate.get("name")


def _text_terms(text):
    starts = {match.start(1) for match in _SENTENCE_START.finditer(text)}
    for match in _TECHNICAL.finditer(text):
        word = match.group(0).strip(".")
        if match.start() in starts and word.istitle():
            continue
        if any(char.isalpha() for char in word) and (len(word) > 1 or word in "CR"):
            yield word


def transcription_prompt(brief):
    """A short prompt naming the candidate, the role and the terms they may say."""
    terms, seen = [], set()
    candidates = [
        *_resume_terms(brief.resume or {}),
        *_text_terms(brief.role_title),
        *_text_terms(brief.job_description),
    ]
    for term in candidates:
        term = " ".join(str(term or "").split())
        if term and term.lower() not in seen and len(term) <= 60:
            seen.add(term.lower())
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    who = brief.candidate_name or "The candidate"
    prompt = f"{who} is interviewing for {brief.role_title or 'a role'}."
    if terms:
        prompt += " " + ", ".join(terms) + "."
    return prompt[:MAX_CHARS]
