import json
import re

import pytest
from django.urls import reverse

from resumes.tests import files
from resumes.tests.conftest import run_attempt, upload
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db

GOOD_TEXT = "\n".join(files.RESUME_LINES)


def parse(fake_openai, text, reply):
    fake_openai.script("chat", Reply(content=json.dumps(reply)))
    resume = upload(text.encode(), "resume.txt")
    run_attempt(resume)
    return resume


def chip(response, resume):
    match = re.search(
        rf'<span class="chip ([\w-]+)" data-resume-id="{resume.pk}">([^<]*)<', response.text
    )
    return match.groups()


def test_invented_links_email_and_employer_are_dropped_with_a_note(
    fake_profile, fake_openai, recruiter_client
):
    text = (
        "Ben John\nBackend developer\n\nExperience\nPython developer at Initech, 2019 - 2024\n\n"
        "Education\nState University, BSc 2018\n"
    )
    resume = parse(
        fake_openai,
        text,
        {
            "basics": {
                "name": "Ben John",
                "email": "ben@benjohn.com",
                "url": "https://www.facebook.com/benjohn",
                "profiles": [{"network": "LinkedIn", "url": "https://linkedin.com/in/benjohn"}],
            },
            "work": [
                {"name": "benjohn", "position": "Boss"},
                {"name": "Initech", "position": "Python developer"},
            ],
            "education": [{"institution": "Harvard"}, {"institution": "State University"}],
            "skills": ["Python"],
        },
    )

    assert resume.parsed["basics"]["url"] == ""
    assert resume.parsed["basics"]["profiles"] == []
    assert [job["name"] for job in resume.parsed["work"]] == ["Initech"]
    assert [school["institution"] for school in resume.parsed["education"]] == ["State University"]
    assert resume.candidate.email == ""
    page = recruiter_client.get(reverse("resumes:detail", args=[resume.candidate_id])).text
    for dropped in [
        "the link \u201chttps://www.facebook.com/benjohn\u201d",
        "the profile link \u201chttps://linkedin.com/in/benjohn\u201d",
        "the email \u201cben@benjohn.com\u201d",
        "the employer \u201cbenjohn\u201d",
        "the school \u201cHarvard\u201d",
    ]:
        assert f"Dropped {dropped}: it is not in the resume text." in page
    assert "Boss" not in page


def test_a_skill_in_the_text_the_model_missed_is_added(fake_profile, fake_openai, recruiter_client):
    text = "Ana Ruiz\nData engineer\nBuilt pipelines in Python and SQL on AWS; I go hiking.\n"
    resume = parse(fake_openai, text, {"basics": {"name": "Ana Ruiz"}, "skills": ["Leadership"]})

    assert [skill["name"] for skill in resume.parsed["skills"]] == [
        "Leadership",
        "Python",
        "SQL",
        "AWS",
    ]
    found = recruiter_client.get(reverse("resumes:list"), {"skill": "python"}).text
    assert "Ana Ruiz" in found
    page = recruiter_client.get(reverse("resumes:detail", args=[resume.candidate_id])).text
    assert "Added skills named in the resume text: Python, SQL, AWS." in page


def test_contacts_in_the_text_fill_what_the_model_left_empty(fake_profile, fake_openai):
    text = "Ana Ruiz\nana.ruiz@example.org, (415) 555-0199\nSkills: Django\n"
    resume = parse(fake_openai, text, {"basics": {"name": "Ana Ruiz"}, "skills": ["Django"]})

    assert resume.candidate.email == "ana.ruiz@example.org"
    assert resume.candidate.phone == "(415) 555-0199"


def test_a_thin_record_is_marked_parsed_with_gaps(fake_profile, fake_openai, recruiter_client):
    text = "Curriculum Vitae\nI like working with people and I am good at it.\n"
    resume = parse(
        fake_openai,
        text,
        {"basics": {"label": "Boss"}, "work": [{"name": "benjohn"}], "total_years_experience": 0},
    )

    assert resume.has_gaps
    assert resume.parsed["total_years_experience"] is None
    listing = recruiter_client.get(reverse("resumes:list"))
    assert chip(listing, resume) == ("chip-warn", "Parsed with gaps")
    page = recruiter_client.get(reverse("resumes:detail", args=[resume.candidate_id])).text
    assert "Parsed with gaps: no name and no work, education or skills found" in page
    assert "0 years" not in page


def test_a_good_record_is_kept_as_the_model_wrote_it_and_reads_parsed(
    fake_profile, fake_openai, recruiter_client
):
    reply = {
        "basics": {
            "name": "Jane Doe",
            "email": "Jane.Doe@example.com",
            "phone": "(415) 555-0134",
            "profiles": [{"network": "GitHub", "url": "https://www.github.com/janedoe/"}],
        },
        "work": [{"name": "ACME  corp", "position": "Staff Engineer"}],
        "education": [{"institution": "MIT", "area": "Computer Science"}],
        "skills": ["Python", "Go", "Django", "PostgreSQL", "Kubernetes"],
        "total_years_experience": 5,
    }
    resume = parse(fake_openai, GOOD_TEXT, reply)

    assert resume.parsed["basics"]["profiles"][0]["url"] == "https://www.github.com/janedoe/"
    assert resume.parsed["basics"]["phone"] == "(415) 555-0134"
    assert [job["name"] for job in resume.parsed["work"]] == ["ACME  corp"]
    assert [school["institution"] for school in resume.parsed["education"]] == ["MIT"]
    assert [skill["name"] for skill in resume.parsed["skills"]] == reply["skills"]
    assert resume.parsed["total_years_experience"] == 5
    assert resume.parse_notes == []
    listing = recruiter_client.get(reverse("resumes:list"))
    assert chip(listing, resume) == ("chip-ok", "Parsed")
