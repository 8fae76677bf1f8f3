from django import forms
from django.db.models import OuterRef, Subquery

from agents.models import Interview
from agents.reports import RECOMMENDATIONS
from resumes.models import Candidate, Resume


class CandidateChoiceField(forms.ModelChoiceField):
    """Candidates by name, or by their resume's file name while it is not parsed."""

    def label_from_instance(self, candidate):
        return candidate.name or candidate.file_name or str(candidate)


class InterviewForm(forms.Form):
    candidate = CandidateChoiceField(
        queryset=Candidate.objects.annotate(
            file_name=Subquery(
                Resume.objects.filter(candidate=OuterRef("pk"))
                .order_by("-created_at", "-id")
                .values("original_name")[:1]
            )
        ).order_by("name", "file_name"),
        empty_label="Choose a candidate",
        error_messages={"invalid_choice": "That candidate no longer exists. Pick another one."},
    )
    role_title = forms.CharField(label="Role title", max_length=200)
    job_description = forms.CharField(
        label="Job description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The interviewer relates the candidate's experience to this.",
    )
    max_duration_minutes = forms.IntegerField(
        label="Maximum duration (minutes)",
        min_value=5,
        max_value=90,
        initial=20,
        help_text="The interviewer wraps up politely when the time is up.",
    )


class InterviewFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(required=False, label="Status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *Interview.Status.choices]


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class ReportForm(forms.Form):
    """The recruiter's edit of a report: texts, recommendation and each score."""

    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    strengths = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    concerns = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    # Blank when the model could not write a grounded report and no one has decided yet.
    recommendation = forms.ChoiceField(
        choices=[("", "No recommendation"), *RECOMMENDATIONS.items()], required=False
    )

    def __init__(self, *args, topics=(), competencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(topics)
        self.competencies = list(competencies)
        for index, topic in enumerate(self.topics):
            self.fields[f"topic_{index}_score"] = forms.IntegerField(
                label=f"{topic['topic']} (1\u20135)", min_value=1, max_value=5
            )
        for entry in self.competencies:
            if entry.get("status") != "scored":
                continue
            name = f"competency_{entry['key']}_score"
            if entry["scale"] == "yes_no":
                self.fields[name] = forms.ChoiceField(
                    label=f"{entry['name']} (yes or no)", choices=[("yes", "Yes"), ("no", "No")]
                )
            else:
                self.fields[name] = forms.IntegerField(
                    label=f"{entry['name']} (1\u20135)", min_value=1, max_value=5
                )

    @classmethod
    def for_report(cls, report, data=None):
        topics = report.get("topics", [])
        competencies = report.get("competencies", [])
        # The words of a report that isn't grounded are not offered as a start.
        texts = report if report.get("grounded") is not False or report.get("edited_by") else {}
        initial = {
            "summary": texts.get("summary", ""),
            "strengths": "\n".join(texts.get("strengths", [])),
            "concerns": "\n".join(texts.get("concerns", [])),
            "recommendation": report.get("recommendation") or "",
            **{f"topic_{i}_score": topic.get("score") for i, topic in enumerate(topics)},
            **{f"competency_{c['key']}_score": c.get("score") for c in competencies},
        }
        return cls(data, initial=initial, topics=topics, competencies=competencies)

    def changes(self):
        """The edited fields, in the report's own shape."""
        data = self.cleaned_data
        return {
            "summary": data["summary"].strip(),
            "strengths": _lines(data["strengths"]),
            "concerns": _lines(data["concerns"]),
            "recommendation": data["recommendation"] or None,
            "topics": [
                {**topic, "score": data[f"topic_{i}_score"]} for i, topic in enumerate(self.topics)
            ],
            "competencies": [
                {**entry, "score": data.get(f"competency_{entry['key']}_score", entry["score"])}
                for entry in self.competencies
            ],
        }
