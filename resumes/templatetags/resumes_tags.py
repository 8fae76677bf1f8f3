from django import template

from resumes.services import CHIPS

register = template.Library()


@register.filter
def skill_list(skills_text):
    return [name for name in skills_text.strip("|").split("|") if name]


@register.filter
def status_chip(resume):
    return CHIPS[resume.status]
