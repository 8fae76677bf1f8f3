import json

import pytest

from providers.llm_json import TransientLLMError, retry_after_seconds
from resumes.parsing import (
    InvalidReply,
    cross_check,
    decode_reply,
    find_contacts,
    merge,
    name_from_heading,
    split_text,
)
from resumes.schema import ParsedResume

REPLY = {
    "basics": {"name": "Jane Doe", "email": "jane@example.com", "location": {"city": "Boston"}},
    "work": [{"name": "Acme", "position": "Engineer", "highlights": "Shipped payments"}],
    "skills": ["Python", {"name": "Go", "keywords": ["gRPC"]}],
    "total_years_experience": "7 years",
}


def test_it_reads_a_clean_json_reply():
    parsed, repaired = decode_reply(json.dumps(REPLY))
    assert not repaired
    assert parsed.basics.name == "Jane Doe"
    assert parsed.basics.location.city == "Boston"
    assert parsed.work[0].highlights == ["Shipped payments"]
    assert [skill.name for skill in parsed.skills] == ["Python", "Go"]
    assert parsed.total_years_experience == 7.0
    assert parsed.education == []


def test_it_strips_code_fences_and_trailing_text():
    reply = "Sure! Here it is:\n```json\n" + json.dumps(REPLY) + "\n```\nHope this helps {:)}"
    parsed, repaired = decode_reply(reply)
    assert not repaired
    assert parsed.basics.email == "jane@example.com"


def test_it_repairs_a_reply_cut_off_mid_object():
    text = json.dumps(REPLY)
    cut = text[: text.index('"skills"') + 20]
    parsed, repaired = decode_reply(cut)
    assert repaired
    assert parsed.basics.name == "Jane Doe"
    assert parsed.work[0].position == "Engineer"


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("   \n\n  ", "empty"),
        ("I cannot help with that.", "no JSON object"),
        ('{"unrelated": true}', "none of the resume fields"),
        ('{"basics": 5}', "did not match the schema"),
    ],
)
def test_it_refuses_replies_that_hold_no_resume(reply, problem):
    with pytest.raises(InvalidReply, match=problem):
        decode_reply(reply)


def test_plain_parsing_finds_contacts_the_model_missed():
    text = (
        "Jane Doe\njane.doe@example.com · +44 20 7946 0958\n"
        "linkedin.com/in/janedoe and https://janedoe.dev.\nAcme 2015 - 2019"
    )
    found = find_contacts(text)
    assert found["emails"] == ["jane.doe@example.com"]
    assert found["phones"] == ["+44 20 7946 0958"]
    assert found["links"] == ["linkedin.com/in/janedoe", "https://janedoe.dev"]
    parsed = cross_check(ParsedResume.model_validate({"basics": {"name": "Jane Doe"}}), text)
    assert parsed.basics.email == "jane.doe@example.com"
    assert parsed.basics.phone == "+44 20 7946 0958"
    assert [(p.network, p.url) for p in parsed.basics.profiles] == [
        ("LinkedIn", "https://linkedin.com/in/janedoe"),
        ("", "https://janedoe.dev"),
    ]


def test_an_email_the_model_invented_is_replaced_by_the_one_in_the_text():
    parsed = ParsedResume.model_validate({"basics": {"email": "jane@invented.com"}})
    assert cross_check(parsed, "Mail me: jane@real.org").basics.email == "jane@real.org"


def test_long_text_is_split_without_losing_a_word():
    text = "\n\n".join(f"Section {n}\n" + "word " * 120 for n in range(10))
    chunks = split_text(text, max_chars=1000)
    assert len(chunks) > 1
    assert all(len(chunk) <= 1000 for chunk in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())


def test_parts_merge_into_one_record():
    first = ParsedResume.model_validate(
        {"basics": {"name": "Jane"}, "skills": ["Python"], "work": [{"name": "Acme"}]}
    )
    second = ParsedResume.model_validate(
        {
            "basics": {"name": "", "email": "j@x.org"},
            "skills": ["python", "Go"],
            "education": [{"institution": "MIT"}],
            "total_years_experience": 9,
        }
    )
    merged = merge([first, second])
    assert merged.basics.name == "Jane"
    assert merged.basics.email == "j@x.org"
    assert [skill.name for skill in merged.skills] == ["Python", "Go"]
    assert merged.work[0].name == "Acme"
    assert merged.education[0].institution == "MIT"
    assert merged.total_years_experience == 9


def test_retry_after_is_read_in_seconds_or_as_a_date():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds(None) is None


def test_contact_details_sent_at_the_top_level_are_moved_into_basics():
    parsed, _ = decode_reply('{"name": "Jane Doe", "email": "jane@x.com", "skills": ["Go"]}')
    assert (parsed.basics.name, parsed.basics.email) == ("Jane Doe", "jane@x.com")
    assert parsed.skills[0].name == "Go"


def test_a_name_the_model_missed_is_taken_from_the_resume_heading():
    text = "Jordan Reyes\njordan@example.com\nExperience\nBackend engineer at Acme"
    parsed, _ = decode_reply('{"basics": {"email": "jordan@example.com"}, "skills": ["Go"]}')
    assert cross_check(parsed, text).basics.name == "Jordan Reyes"


def test_a_name_the_model_invented_is_replaced_by_the_one_in_the_text():
    text = "Zoë O'Brien-Smith\nSenior engineer"
    parsed, _ = decode_reply('{"basics": {"name": "John Smith"}, "skills": ["Go"]}')
    assert cross_check(parsed, text).basics.name == "Zoë O'Brien-Smith"


def test_a_heading_that_is_not_a_name_is_not_taken_for_one():
    assert name_from_heading("Curriculum Vitae\nsenior engineer since 2010") == ""
    assert name_from_heading("EXPERIENCE 2019-2024\nled a team of 5") == ""


@pytest.mark.django_db
def test_a_timeout_names_the_server_and_the_setting_that_raises_the_limit(settings, fake_openai):
    from resumes.parsing import ParseRun, parse_text
    from resumes.tests.conftest import make_profile
    from tests.fake_openai import Reply

    settings.RESUME_LLM_TIMEOUT_SECONDS = 1
    fake_openai.script("chat", Reply(content="{}", delay=3))
    profile = make_profile(fake_openai.url)

    with pytest.raises(TransientLLMError) as raised:
        parse_text(profile=profile, text="Jane Doe\njane@example.com", run=ParseRun())

    message = str(raised.value)
    assert "did not answer within 1 seconds" in message
    assert fake_openai.url in message
    assert "RESUME_LLM_TIMEOUT_SECONDS" in message
