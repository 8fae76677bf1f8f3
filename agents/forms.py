from django import forms

from resumes.models import Candidate


class InterviewForm(forms.Form):
    candidate = forms.ModelChoiceField(
        queryset=Candidate.objects.order_by("name"),
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
        from agents.models import Interview

        self.fields["status"].choices = [("", "Any status"), *Interview.Status.choices]
