"""The parsed resume: JSON Resume's shape plus a summary and years of experience.

Models are forgiving about what small LLMs send (a skill as a plain string, a
number as "5 years", null for a list) and strict about the result: whatever
validates here is safe to store and to show.
"""

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def _text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value if _text(item))
    if isinstance(value, dict):
        return ", ".join(_text(item) for item in value.values() if _text(item))
    return str(value)


def _list(value):
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if item not in (None, "", {}, [])]
    return [value]


class Part(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, data: Any):
        if isinstance(data, str):
            # A bare string where an object was expected names the thing.
            data = {cls.name_field: data}
        if not isinstance(data, dict):
            raise ValueError("expected an object")
        cleaned = {}
        for key, value in data.items():
            field = cls.model_fields.get(key)
            if field is None:
                continue
            cleaned[key] = _list(value) if field.annotation == list[str] else value
        return cleaned

    name_field: ClassVar[str] = "name"

    @field_validator("*", mode="before")
    @classmethod
    def _strings(cls, value, info):
        annotation = cls.model_fields[info.field_name].annotation
        if annotation is str:
            return _text(value)
        if annotation == list[str]:
            return [_text(item) for item in _list(value) if _text(item)]
        return value


class Profile(Part):
    network: str = ""
    username: str = ""
    url: str = ""
    name_field: ClassVar[str] = "url"


class Location(Part):
    address: str = ""
    city: str = ""
    region: str = ""
    countryCode: str = ""  # noqa: N815 - JSON Resume's spelling
    name_field: ClassVar[str] = "city"

    def as_text(self):
        return ", ".join(part for part in (self.city, self.region, self.countryCode) if part) or (
            self.address
        )


class Basics(Part):
    name: str = ""
    label: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""
    summary: str = ""
    location: Location = Field(default_factory=Location)
    profiles: list[Profile] = Field(default_factory=list)

    @field_validator("profiles", mode="before")
    @classmethod
    def _profiles(cls, value):
        return _list(value)

    @field_validator("location", mode="before")
    @classmethod
    def _location(cls, value):
        return value or {}


class Work(Part):
    name: str = ""
    position: str = ""
    location: str = ""
    startDate: str = ""  # noqa: N815
    endDate: str = ""  # noqa: N815
    summary: str = ""
    highlights: list[str] = Field(default_factory=list)


class Education(Part):
    institution: str = ""
    area: str = ""
    studyType: str = ""  # noqa: N815
    startDate: str = ""  # noqa: N815
    endDate: str = ""  # noqa: N815
    score: str = ""
    name_field: ClassVar[str] = "institution"


class Skill(Part):
    name: str = ""
    level: str = ""
    keywords: list[str] = Field(default_factory=list)


class Language(Part):
    language: str = ""
    fluency: str = ""
    name_field: ClassVar[str] = "language"


class Project(Part):
    name: str = ""
    description: str = ""
    url: str = ""
    highlights: list[str] = Field(default_factory=list)


class Certificate(Part):
    name: str = ""
    issuer: str = ""
    date: str = ""
    url: str = ""


class ParsedResume(BaseModel):
    model_config = ConfigDict(extra="ignore")

    basics: Basics = Field(default_factory=Basics)
    work: list[Work] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    languages: list[Language] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    certificates: list[Certificate] = Field(default_factory=list)
    summary: str = ""
    total_years_experience: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat_basics(cls, data: Any):
        # Small models often put the contact details at the top level.
        if isinstance(data, dict) and not data.get("basics"):
            flat = {key: data[key] for key in Basics.model_fields if data.get(key)}
            if flat:
                data = {**data, "basics": flat}
        return data

    @field_validator(
        "work", "education", "skills", "languages", "projects", "certificates", mode="before"
    )
    @classmethod
    def _lists(cls, value):
        return _list(value)

    @field_validator("basics", mode="before")
    @classmethod
    def _basics(cls, value):
        return value or {}

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value):
        return _text(value)

    @field_validator("total_years_experience", mode="before")
    @classmethod
    def _years(cls, value):
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            number = float(value)
        else:
            match = re.search(r"\d+(?:[.,]\d+)?", str(value))
            if not match:
                return None
            number = float(match.group().replace(",", "."))
        return number if 0 <= number <= 70 else None

    def is_empty(self):
        return self == ParsedResume()

    def skill_names(self):
        names = []
        for skill in self.skills:
            for name in [skill.name, *skill.keywords]:
                if name and name.lower() not in (existing.lower() for existing in names):
                    names.append(name)
        return names


SCHEMA_FIELDS = list(ParsedResume.model_fields)
