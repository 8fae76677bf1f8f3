"""Turning resume text into a validated `ParsedResume` with the profile's LLM.

The LLM call goes through `providers.clients.openai_client`. Errors are
sorted into two kinds the task acts on: `TransientLLMError` (worth retrying
later: connection, timeout, 429, 5xx) and `PermanentLLMError` (retrying cannot
help: bad key, unknown model, rejected request, a resume too long for the
context budget, replies that never validate). Both carry a plain message.
"""

import math
import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from pydantic import ValidationError

from providers.clients import openai_client
from providers.llm_json import (
    InvalidReply,
    PermanentLLMError,
    json_completion,
    json_object_from_reply,
    list_field,
    object_field,
    text_field,
)
from resumes.schema import Basics, ParsedResume, Profile

PROMPT_PATH = Path(__file__).parent / "prompts" / "parse_resume.txt"
# The lines around the resume text in the user's message (the prompt names them).
RESUME_START = "<<<RESUME TEXT>>>"
RESUME_END = "<<<END OF RESUME TEXT>>>"
_MARKER_BRACKETS = re.compile(r"<{3,}|>{3,}")


def setting(name):
    defaults = {
        "RESUME_LLM_TIMEOUT_SECONDS": 120,
        "RESUME_LLM_MAX_TOKENS": 1500,
        # The model's context window in tokens (prompt + reply); chunks are sized to fit it.
        "RESUME_LLM_CONTEXT_TOKENS": 8192,
        "RESUME_LLM_MAX_CHUNKS": 6,
        "RESUME_LLM_TEMPERATURE": 0.1,
        # Extra calls when a reply is not usable JSON, before the attempt fails.
        "RESUME_INVALID_REPLY_RETRIES": 2,
    }
    return getattr(settings, name, defaults[name])


@cache
def system_prompt():
    return PROMPT_PATH.read_text(encoding="utf-8")


def resume_message(text, *, heading=""):
    """The user's message: `heading` (our words), then the resume text between the markers.

    A run of three or more angle brackets in the text becomes two, so that the text can
    neither end the resume early nor open a second one.
    """
    data = _MARKER_BRACKETS.sub(lambda run: run.group()[:2], text)
    return f"{heading}{RESUME_START}\n{data}\n{RESUME_END}"


def estimate_tokens(text):
    # About four characters per token for English with the common BPE vocabularies.
    return math.ceil(len(text) / 4)


@dataclass
class ParseRun:
    """What a parse did, kept whether it succeeds or not."""

    llm_calls: int = 0
    llm_seconds: float = 0.0
    chunks: int = 0
    estimated_tokens: int = 0
    events: list = field(default_factory=list)

    def note(self, message, **extra):
        self.events.append({"at": timezone.now().isoformat(), "message": message, **extra})


def parse_text(*, profile, text, run):
    """Parse resume text with the profile's LLM; raise Transient/PermanentLLMError."""
    max_tokens = setting("RESUME_LLM_MAX_TOKENS")
    budget = setting("RESUME_LLM_CONTEXT_TOKENS")
    run.estimated_tokens = estimate_tokens(text)
    # Room for the system prompt, the reply and message framing.
    room = budget - max_tokens - estimate_tokens(system_prompt()) - 100
    if room < 200:
        raise PermanentLLMError(
            f"The context budget of {budget} tokens leaves no room for the resume after the "
            f"instructions and a {max_tokens}-token reply. Raise RESUME_LLM_CONTEXT_TOKENS or "
            "lower RESUME_LLM_MAX_TOKENS."
        )
    chunks = split_text(text, max_chars=room * 4)
    run.chunks = len(chunks)
    limit = setting("RESUME_LLM_MAX_CHUNKS")
    if len(chunks) > limit:
        raise PermanentLLMError(
            f"This resume is about {run.estimated_tokens} tokens long; the model's context "
            f"budget of {budget} tokens would need {len(chunks)} parts, more than the {limit} "
            "allowed. Use a model with a larger context window or upload a shorter resume."
        )
    if len(chunks) > 1:
        run.note(
            f"The resume (about {run.estimated_tokens} tokens) is longer than the context "
            f"budget allows in one call; parsed in {len(chunks)} parts and merged."
        )
    client = _client_for(profile)
    results = []
    for index, chunk in enumerate(chunks, start=1):
        if len(chunks) > 1:
            heading = (
                f"This is part {index} of {len(chunks)} of one resume. Extract only what this "
                "part contains.\n\n"
            )
        else:
            heading = ""
        content = resume_message(chunk, heading=heading)
        results.append(_parse_chunk(client, profile=profile, content=content, run=run))
    return cross_check(merge(results), text)


_clients = {}


def _client_for(profile):
    """The profile's LLM client, kept between tasks of a worker process.

    Building one loads the system's CA certificates (about 25 ms) and a kept
    client reuses its HTTP connections; any edit of the profile makes a new one.
    """
    timeout = setting("RESUME_LLM_TIMEOUT_SECONDS")
    key = (profile.pk, profile.updated_at, profile.llm_base_url, profile.llm_api_key, timeout)
    client = _clients.get(key)
    if client is None:
        for stale in _clients.values():
            stale.close()
        _clients.clear()
        client = _clients[key] = openai_client(profile, "llm", timeout=timeout, max_retries=0)
    return client


def _parse_chunk(client, *, profile, content, run):
    attempts = 1 + setting("RESUME_INVALID_REPLY_RETRIES")
    problem = None
    for number in range(attempts):
        reply, finish_reason = _complete(
            client, profile=profile, content=content, run=run, retry=number > 0
        )
        try:
            parsed, repaired = decode_reply(reply)
        except InvalidReply as exc:
            problem = str(exc)
            run.note(f"The model's reply was unusable ({problem}); asking again.")
            continue
        if repaired or finish_reason == "length":
            run.note("The model's reply was incomplete or malformed JSON; it was repaired.")
        return parsed
    raise PermanentLLMError(
        f"The model did not reply with a usable resume after {attempts} tries ({problem}). "
        "Re-parse to try again, or use a larger model."
    )


def _dates():
    return {"startDate": text_field(20), "endDate": text_field(20)}


# The JSON Resume shape the server is asked to produce, with every list and
# string bounded; ParsedResume validates what comes back. Fields may be left
# out, so a model can skip what the resume does not say.
RESUME_SCHEMA = object_field(
    {
        "basics": object_field(
            {
                "name": text_field(100),
                "label": text_field(120),
                "email": text_field(120),
                "phone": text_field(40),
                "url": text_field(200),
                "summary": text_field(600),
                "location": object_field(
                    {
                        "city": text_field(80),
                        "region": text_field(80),
                        "countryCode": text_field(8),
                    },
                    required=[],
                ),
                "profiles": list_field(
                    object_field({"network": text_field(40), "url": text_field(200)}, required=[]),
                    5,
                ),
            },
            required=["name"],
        ),
        "work": list_field(
            object_field(
                {
                    "name": text_field(120),
                    "position": text_field(120),
                    **_dates(),
                    "summary": text_field(400),
                    "highlights": list_field(text_field(200), 4),
                },
                required=["name", "position"],
            ),
            8,
        ),
        "education": list_field(
            object_field(
                {
                    "institution": text_field(120),
                    "area": text_field(120),
                    "studyType": text_field(60),
                    **_dates(),
                },
                required=["institution"],
            ),
            5,
        ),
        "skills": list_field(
            object_field(
                {"name": text_field(60), "keywords": list_field(text_field(40), 6)},
                required=["name"],
            ),
            20,
        ),
        "languages": list_field(
            object_field({"language": text_field(40), "fluency": text_field(40)}, required=[]), 6
        ),
        "projects": list_field(
            object_field({"name": text_field(120), "description": text_field(300)}, required=[]),
            5,
        ),
        "certificates": list_field(
            object_field(
                {"name": text_field(120), "issuer": text_field(120), "date": text_field(20)},
                required=[],
            ),
            5,
        ),
        "summary": text_field(600),
        "total_years_experience": {"type": "number", "minimum": 0, "maximum": 70},
    },
    required=["basics", "work", "education", "skills", "summary", "total_years_experience"],
)


def _complete(client, *, profile, content, run, retry):
    started = time.perf_counter()
    run.llm_calls += 1
    try:
        response = json_completion(
            client,
            profile=profile,
            schema_name="resume",
            schema=RESUME_SCHEMA,
            system=system_prompt(),
            user=content,
            # Slightly warmer on a retry so a bad reply is not simply repeated.
            temperature=min(0.2, setting("RESUME_LLM_TEMPERATURE") + (0.1 if retry else 0)),
            max_tokens=setting("RESUME_LLM_MAX_TOKENS"),
            timeout=setting("RESUME_LLM_TIMEOUT_SECONDS"),
            timeout_setting="RESUME_LLM_TIMEOUT_SECONDS",
        )
    finally:
        run.llm_seconds += time.perf_counter() - started
    if not response.choices:
        return "", None
    choice = response.choices[0]
    return choice.message.content or "", choice.finish_reason


def decode_reply(content):
    """(ParsedResume, repaired) from the model's reply text; raises InvalidReply."""
    data, repaired = json_object_from_reply(content)
    try:
        parsed = ParsedResume.model_validate(data)
    except ValidationError as exc:
        raise InvalidReply(
            f"the reply did not match the schema ({exc.error_count()} errors)"
        ) from None
    if parsed.is_empty():
        raise InvalidReply("the reply had none of the resume fields")
    return parsed, repaired


def split_text(text, *, max_chars):
    """Consecutive parts of at most max_chars, cut between paragraphs or lines when possible."""
    if len(text) <= max_chars:
        return [text]
    pieces = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= max_chars:
            pieces.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            while len(line) > max_chars:
                cut = line.rfind(" ", 0, max_chars)
                cut = cut if cut > 0 else max_chars
                pieces.append(line[:cut])
                line = line[cut:].lstrip()
            pieces.append(line)
    chunks, current = [], ""
    for piece in pieces:
        joined = f"{current}\n\n{piece}" if current else piece
        if len(joined) <= max_chars:
            current = joined
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def merge(results):
    if len(results) == 1:
        return results[0]
    merged = ParsedResume()
    basics = {}
    for result in results:
        for name, value in result.basics.model_dump().items():
            if name == "profiles":
                continue
            if name == "location":
                if not any(basics.get("location", {}).values()):
                    basics["location"] = value
            elif not basics.get(name):
                basics[name] = value
    basics["profiles"] = _unique(
        [profile for result in results for profile in result.basics.profiles],
        key=lambda item: item.url.lower() or item.username.lower(),
    )
    merged.basics = Basics.model_validate(basics)
    for name in ("work", "education", "languages", "projects", "certificates"):
        setattr(
            merged,
            name,
            _unique([item for result in results for item in getattr(result, name)], key=repr),
        )
    merged.skills = _unique(
        [skill for result in results for skill in result.skills], key=lambda s: s.name.lower()
    )
    merged.summary = next((result.summary for result in results if result.summary), "")
    years = [r.total_years_experience for r in results if r.total_years_experience is not None]
    merged.total_years_experience = max(years) if years else None
    return merged


def _unique(items, *, key):
    seen, kept = set(), []
    for item in items:
        marker = key(item)
        if marker in seen:
            continue
        seen.add(marker)
        kept.append(item)
    return kept


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w/.])\+?\(?\d[\d ().\-]{5,}\d(?![\w/])")
YEAR_RANGE = re.compile(r"^\(?(19|20)\d\d\)?\s*[-\u2013.]\s*\(?(19|20)\d\d\)?$")
URL = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"',;]+"
    r"|(?<![\w.@/])(?:linkedin\.com|github\.com|gitlab\.com|x\.com|twitter\.com)/[^\s<>()\"',;]+",
    re.IGNORECASE,
)
NETWORKS = {
    "linkedin": "LinkedIn",
    "github": "GitHub",
    "gitlab": "GitLab",
    "twitter": "Twitter",
    "x.com": "X",
    "stackoverflow": "Stack Overflow",
}


def _digits(value):
    return re.sub(r"\D", "", value)


def find_contacts(text):
    """Emails, phone numbers and links found in the text by plain pattern matching."""
    emails = list(dict.fromkeys(EMAIL.findall(text)))
    phones = []
    for match in PHONE.findall(text):
        candidate = match.strip()
        if 7 <= len(_digits(candidate)) <= 15 and not YEAR_RANGE.match(candidate):
            phones.append(candidate)
    links = [link.rstrip(".") for link in URL.findall(text)]
    return {
        "emails": emails,
        "phones": list(dict.fromkeys(phones)),
        "links": list(dict.fromkeys(links)),
    }


# A resume's first lines usually hold the name: two to four capitalised words.
NAME_LINE = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:[ '’.-]+[^\W\d_][^\W\d_'’.-]*){1,3}$")
NOT_NAMES = {"curriculum vitae", "resume", "résumé", "cv", "profile", "contact"}


def name_from_heading(text):
    """The name in the resume's first lines, or "" when none looks like one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:3]
    for line in lines:
        if (
            NAME_LINE.match(line)
            and line.lower() not in NOT_NAMES
            and all(word[0].isupper() for word in line.split())
        ):
            return line
    return ""


def cross_check(parsed, text):
    """Fill or correct contact details the LLM missed or invented, from the text itself."""
    found = find_contacts(text)
    basics = parsed.basics
    lowered = text.lower()
    if not basics.name or basics.name.lower() not in lowered:
        basics.name = name_from_heading(text) or basics.name
    if found["emails"] and (not basics.email or basics.email.lower() not in lowered):
        basics.email = found["emails"][0]
    text_digits = _digits(text)
    if found["phones"] and (not basics.phone or _digits(basics.phone) not in text_digits):
        basics.phone = found["phones"][0]
    known = {basics.url.lower().rstrip("/")} | {
        profile.url.lower().rstrip("/") for profile in basics.profiles
    }
    for link in found["links"]:
        if link.lower().rstrip("/") in known or any(
            link.lower().rstrip("/").endswith(item.split("://")[-1]) for item in known if item
        ):
            continue
        network = next((name for key, name in NETWORKS.items() if key in link.lower()), "")
        url = link if "://" in link else f"https://{link}"
        basics.profiles.append(Profile(network=network, url=url))
        known.add(link.lower().rstrip("/"))
    return parsed
