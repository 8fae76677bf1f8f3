"""Profile links from a parsed resume: only http(s) addresses become links, the rest is text."""

from html.parser import HTMLParser

import pytest

from resumes.models import Resume
from resumes.templatetags.resumes_tags import web_link

pytestmark = pytest.mark.django_db

PROFILES = [
    {"network": "GitHub", "url": "https://github.com/grace"},
    {"network": "Homepage", "url": "http://grace.example.com/about"},
    {"network": "Evil", "url": "javascript:alert(document.cookie)"},
    {"network": "Sneaky", "url": " JavaScript:alert(1)"},
    {"network": "Tabbed", "url": "java\tscript:alert(1)"},
    {"network": "Data", "url": "data:text/html,<script>alert(1)</script>"},
    {"network": "Elsewhere", "url": "//evil.example.com/x"},
    {"url": "vbscript:msgbox(1)"},
]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


def _profiles_paragraph(page):
    start = page.index('<p class="profiles">')
    return page[start : page.index("</p>", start)]


def test_only_web_addresses_become_profile_links(recruiter_client, interview_candidate):
    resume = Resume.objects.get(candidate=interview_candidate)
    resume.parsed = {**resume.parsed, "basics": {**resume.parsed["basics"], "profiles": PROFILES}}
    resume.save(update_fields=["parsed"])

    response = recruiter_client.get(f"/candidates/{interview_candidate.pk}/")

    assert response.status_code == 200
    profiles = _profiles_paragraph(response.content.decode())
    links = Links()
    links.feed(profiles)
    assert links.hrefs == ["https://github.com/grace", "http://grace.example.com/about"]
    # The others are still shown, as text the recruiter can read.
    assert "Evil: javascript:alert(document.cookie)" in profiles
    assert "Data: data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;" in profiles
    assert "Elsewhere: //evil.example.com/x" in profiles
    assert "vbscript:msgbox(1)" in profiles


@pytest.mark.parametrize(
    "url",
    ["", None, 42, "http://", "https:///path", "http://[::1", "ftp://example.com", "mailto:x"],
)
def test_web_link_refuses_what_is_no_web_address(url):
    assert web_link(url) == ""


def test_web_link_keeps_a_web_address_as_it_is():
    assert web_link("  HTTPS://Example.com/a?b=1#c ") == "HTTPS://Example.com/a?b=1#c"
