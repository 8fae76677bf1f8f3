from django.urls import reverse


def navigation(request):
    """The navigation entries the signed-in person may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = []
    if user.is_recruiter:
        entries += [
            ("resumes:list", "Candidates"),
            ("jobs:list", "Jobs"),
            ("agents:interview_list", "Interviews"),
        ]
    if user.is_admin:
        entries += [("providers:list", "Model providers"), ("users:list", "Users")]
        entries += [("webhooks:list", "Webhooks")]
    items = []
    for url_name, label in entries:
        url = reverse(url_name)
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return {"nav_items": items}
