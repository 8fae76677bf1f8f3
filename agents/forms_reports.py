from django import forms

from agents.reports import RECOMMENDATIONS


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class ReportForm(forms.Form):
    """The recruiter's edit of a report: texts, recommendation and each topic's score."""

    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    strengths = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    concerns = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    recommendation = forms.ChoiceField(choices=list(RECOMMENDATIONS.items()))

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(topics)
        for index, topic in enumerate(self.topics):
            self.fields[f"topic_{index}_score"] = forms.IntegerField(
                label=f"{topic['topic']} (1\u20135)", min_value=1, max_value=5
            )

    @classmethod
    def for_report(cls, report, data=None):
        topics = report.get("topics", [])
        initial = {
            "summary": report.get("summary", ""),
            "strengths": "\n".join(report.get("strengths", [])),
            "concerns": "\n".join(report.get("concerns", [])),
            "recommendation": report.get("recommendation"),
            **{f"topic_{i}_score": topic.get("score") for i, topic in enumerate(topics)},
        }
        return cls(data, initial=initial, topics=topics)

    def changes(self):
        """The edited fields, in the report's own shape."""
        data = self.cleaned_data
        return {
            "summary": data["summary"].strip(),
            "strengths": _lines(data["strengths"]),
            "concerns": _lines(data["concerns"]),
            "recommendation": data["recommendation"],
            "topics": [
                {**topic, "score": data[f"topic_{i}_score"]} for i, topic in enumerate(self.topics)
            ],
        }
