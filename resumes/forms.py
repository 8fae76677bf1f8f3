import json

from django import forms
from pydantic import ValidationError

from resumes.schema import ParsedResume, Skill


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=64, required=False)
    location = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    skills = forms.CharField(
        required=False, help_text="Separated by commas.", widget=forms.TextInput()
    )
    total_years_experience = forms.FloatField(
        label="Years of experience", required=False, min_value=0, max_value=70
    )
    parsed_json = forms.CharField(
        label="Full parsed record (JSON Resume)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
        help_text="Work, education, languages, projects and certificates. The fields above win.",
    )

    @classmethod
    def for_candidate(cls, candidate, resume, data=None):
        parsed = ParsedResume.model_validate(resume.parsed if resume else {})
        initial = {
            "name": candidate.name,
            "email": candidate.email,
            "phone": candidate.phone,
            "location": candidate.location,
            "summary": parsed.summary,
            "skills": ", ".join(skill.name for skill in parsed.skills if skill.name),
            "total_years_experience": parsed.total_years_experience,
            "parsed_json": json.dumps(parsed.model_dump(), indent=2, ensure_ascii=False),
        }
        return cls(data=data, initial=initial)

    def clean_parsed_json(self):
        raw = self.cleaned_data["parsed_json"].strip() or "{}"
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(
                f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError("The record must be a JSON object: {...}.")
        try:
            return ParsedResume.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise forms.ValidationError(f"{where}: {first['msg']}.") from None

    def candidate_fields(self):
        return {name: self.cleaned_data[name] for name in ("name", "email", "phone", "location")}

    def parsed(self):
        parsed = self.cleaned_data["parsed_json"]
        parsed.summary = self.cleaned_data["summary"].strip()
        parsed.total_years_experience = self.cleaned_data["total_years_experience"]
        for field in ("name", "email", "phone"):
            setattr(parsed.basics, field, self.cleaned_data[field])
        by_name = {skill.name.lower(): skill for skill in parsed.skills}
        names = [name.strip() for name in self.cleaned_data["skills"].split(",") if name.strip()]
        parsed.skills = [by_name.get(name.lower()) or Skill(name=name) for name in names]
        return parsed
