from urllib.parse import urlsplit

from django import template

from resumes import services

register = template.Library()


@register.filter
def skill_list(skills_text):
    return [name for name in skills_text.strip("|").split("|") if name]


@register.filter
def status_chip(resume):
    return services.status_chip(resume)


@register.filter
def web_link(url):
    """`url` when it is an http(s) address fit for an href, else "" (show it as text).

    Parsed resumes are untrusted: a "profile" of javascript:, data: or a
    scheme-relative //host must never become a link.
    """
    if not isinstance(url, str):
        return ""
    url = url.strip()
    # Browsers drop tabs and newlines inside a URL ("java\tscript:"); refuse any control or space.
    if not url or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    return url
