"""Holding the model's record to the resume text it was parsed from.

Small models invent contact links, employers and schools, and skip skills that
are plainly written in the file. What the text can settle is settled here,
deterministically: the invented parts are dropped (with a note saying so) and
well-known skill names found in the text are added.
"""

import re
from dataclasses import dataclass, field

from resumes.parsing import EMAIL, URL, _digits, find_contacts
from resumes.schema import Skill

# Common skills, found by whole-word match. Names that are also ordinary English
# words ("Go", "Rust", "Swift") must be written with their capital to count.
KNOWN_SKILLS = [
    "Python", "Java", "JavaScript", "TypeScript", "C++", "C#", "PHP", "Ruby", "Kotlin",
    "Scala", "Elixir", "SQL", "PostgreSQL", "MySQL", "SQLite", "MongoDB", "Redis",
    "Elasticsearch", "Kafka", "RabbitMQ", "Celery", "Django", "FastAPI", "Flask",
    "Node.js", "React", "Vue", "Angular", "GraphQL", "HTML", "CSS", "AWS", "GCP", "Azure",
    "Docker", "Kubernetes", "Terraform", "Ansible", "Linux", "Git", "Pandas", "NumPy",
    "PyTorch", "TensorFlow", "Spark",
]  # fmt: skip
CASE_SENSITIVE_SKILLS = ["Go", "Rust", "Swift"]


def _skill_pattern(name, flags):
    return re.compile(rf"(?<![\w+#]){re.escape(name)}(?![\w+#])", flags)


SKILL_PATTERNS = [(name, _skill_pattern(name, re.IGNORECASE)) for name in KNOWN_SKILLS] + [
    (name, _skill_pattern(name, 0)) for name in CASE_SENSITIVE_SKILLS
]


def normalised(value):
    return " ".join(value.lower().split())


def url_key(url):
    """An address as host and path: no scheme, no "www.", no trailing slash."""
    key = re.sub(r"^[a-z][a-z0-9+.-]*://", "", normalised(url))
    return key.removeprefix("www.").rstrip("/")


@dataclass
class Grounded:
    parsed: object
    notes: list = field(default_factory=list)
    has_gaps: bool = False


def ground(parsed, text):
    """`parsed` held to `text`: what the text does not show is dropped, and noted."""
    parsed = parsed.model_copy(deep=True)
    notes = []
    lowered = normalised(text)
    # Employers and schools must appear as words, not as part of an address or email.
    words = normalised(URL.sub(" ", EMAIL.sub(" ", text)))
    digits = _digits(text)
    basics = parsed.basics

    def in_text(value, haystack, *, word=r"\w"):
        found = re.search(rf"(?<!{word}){re.escape(normalised(value))}(?!{word})", haystack)
        return found is not None

    def link_in_text(url):
        # "in/jane" must not pass for "in/jane-doe".
        key = url_key(url)
        return bool(key) and in_text(key, lowered, word=r"[\w-]")

    def drop(what, value):
        notes.append(f"Dropped {what} \u201c{value}\u201d: it is not in the resume text.")

    if basics.url and not link_in_text(basics.url):
        drop("the link", basics.url)
        basics.url = ""
    kept = []
    for profile in basics.profiles:
        if profile.url and not link_in_text(profile.url):
            drop("the profile link", profile.url)
        elif not profile.url and profile.username and not in_text(profile.username, lowered):
            drop("the profile", profile.username)
        else:
            kept.append(profile)
    basics.profiles = kept
    # "e@x.com" must not pass for "jane@x.com".
    if basics.email and not in_text(basics.email, lowered, word=r"[\w.+-]"):
        drop("the email", basics.email)
        basics.email = ""
    if basics.phone and (len(_digits(basics.phone)) < 7 or _digits(basics.phone) not in digits):
        drop("the phone number", basics.phone)
        basics.phone = ""
    found = find_contacts(text)
    basics.email = basics.email or next(iter(found["emails"]), "")
    basics.phone = basics.phone or next(iter(found["phones"]), "")

    work = []
    for job in parsed.work:
        if job.name and not in_text(job.name, words):
            drop("the employer", job.name)
        else:
            work.append(job)
    parsed.work = work
    education = []
    for school in parsed.education:
        if school.institution and not in_text(school.institution, words):
            drop("the school", school.institution)
        else:
            education.append(school)
    parsed.education = education
    if not parsed.work and parsed.total_years_experience is not None:
        # With no employer left in the record, a count of years has nothing behind it.
        parsed.total_years_experience = None

    known = {name.lower() for name in parsed.skill_names()}
    added = [
        name
        for name, pattern in SKILL_PATTERNS
        if name.lower() not in known and pattern.search(text)
    ]
    parsed.skills += [Skill(name=name) for name in added]
    if added:
        notes.append(f"Added skills named in the resume text: {', '.join(added)}.")

    gaps = []
    if not basics.name:
        gaps.append("no name")
    if not (parsed.work or parsed.education or parsed.skills):
        gaps.append("no work, education or skills")
    if gaps:
        notes.append(f"Parsed with gaps: {' and '.join(gaps)} found in the resume text.")
    return Grounded(parsed=parsed, notes=notes, has_gaps=bool(gaps))
