"""Admin pages for webhook endpoints: list, create, edit, disable, delete, and one page per
endpoint with its deliveries, each of which can be replayed. Thin: forms validate, services
write."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from accounts.permissions import admin_required
from dashboard.paging import page_number, page_of, paging_context
from dashboard.ratelimits import too_many_requests, wait_words
from webhooks import selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint

DELIVERIES_PER_PAGE = 25


def _shown_once_key(pk):
    return f"webhooks:secret:{pk}"


def limit_posts(view):
    """Answer 429 once an admin has saved, deleted or replayed WEBHOOK_ADMIN_POST_RATE times."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            usage = get_usage(
                request,
                group="webhooks:admin-post",
                key="user",
                rate=lambda _group, _request: settings.WEBHOOK_ADMIN_POST_RATE,
                increment=True,
            )
            if usage and usage["should_limit"]:
                wait = max(1, usage["time_left"])
                return too_many_requests(
                    request,
                    message="Webhook changes were sent too many times in a short while.",
                    what_to_do=f"Wait {wait_words(wait)}, then try again.",
                    wait_seconds=wait,
                    back_url=request.path,
                    back_label="Back",
                )
        return view(request, *args, **kwargs)

    return wrapped


hide_secret = sensitive_post_parameters("secret")


@admin_required
def endpoint_list(request):
    return render(request, "webhooks/endpoint_list.html", {"endpoints": selectors.endpoint_list()})


def _render_form(request, form, *, title, submit, endpoint=None):
    if request.method == "POST" and form.errors and form.typed_a_secret:
        messages.warning(
            request, "The secret you typed is never shown again, so enter it once more."
        )
    return render(
        request,
        "webhooks/endpoint_form.html",
        {"form": form, "title": title, "submit": submit, "endpoint": endpoint},
        status=400 if form.errors else 200,
    )


@admin_required
@hide_secret
@limit_posts
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"] or services.secret_generate()
        endpoint = services.endpoint_create(
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
            secret=secret,
            created_by=request.user,
        )
        request.session[_shown_once_key(endpoint.pk)] = secret
        messages.success(request, f"The endpoint {endpoint.url} was added.")
        return redirect("webhooks:detail", endpoint.pk)
    return _render_form(request, form, title="New webhook endpoint", submit="Add endpoint")


def _endpoint_or_404(pk):
    # The secret is decrypted only where it is used: sending a delivery.
    return get_object_or_404(Endpoint.objects.defer("secret"), pk=pk)


@admin_required
@hide_secret
@limit_posts
def endpoint_edit(request, pk):
    endpoint = _endpoint_or_404(pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"]
        if form.cleaned_data["new_secret"] and not secret:
            secret = services.secret_generate()
        services.endpoint_update(
            endpoint=endpoint,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
            is_active=form.cleaned_data["is_active"],
            secret=secret or None,
        )
        if secret:
            request.session[_shown_once_key(endpoint.pk)] = secret
        messages.success(
            request,
            "The endpoint was saved" + (" with its new secret." if secret else "."),
        )
        return redirect("webhooks:detail", endpoint.pk)
    return _render_form(
        request, form, title=f"Edit {endpoint.url}", submit="Save changes", endpoint=endpoint
    )


@never_cache
@admin_required
def endpoint_detail(request, pk):
    endpoint = _endpoint_or_404(pk)
    page = page_number(request.GET.get("page"))
    deliveries, has_next = page_of(
        selectors.endpoint_deliveries(endpoint=endpoint), page=page, per_page=DELIVERIES_PER_PAGE
    )
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "deliveries": deliveries,
            "new_secret": request.session.pop(_shown_once_key(endpoint.pk), None),
            "signature_header": services.SIGNATURE_HEADER,
            **paging_context(request, page=page, has_next=has_next),
        },
    )


@admin_required
@require_POST
@limit_posts
def endpoint_toggle_active(request, pk):
    endpoint = _endpoint_or_404(pk)
    services.endpoint_set_active(endpoint=endpoint, active=not endpoint.is_active)
    state = "enabled" if endpoint.is_active else "disabled: it gets no new events"
    messages.success(request, f"{endpoint.url} was {state}.")
    if request.POST.get("back") == "detail":
        return redirect("webhooks:detail", endpoint.pk)
    return redirect("webhooks:list")


@admin_required
@limit_posts
def endpoint_delete(request, pk):
    endpoint = _endpoint_or_404(pk)
    if request.method == "POST":
        services.endpoint_delete(endpoint=endpoint)
        messages.success(request, f"{endpoint.url} was deleted, with its deliveries.")
        return redirect("webhooks:list")
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})


@admin_required
@require_POST
@limit_posts
def delivery_replay(request, pk, delivery_id):
    delivery = get_object_or_404(Delivery.objects.defer("body"), pk=delivery_id, endpoint_id=pk)
    services.delivery_replay(delivery=delivery)
    messages.success(request, f"The {delivery.event} delivery {delivery.pk} is being sent again.")
    return redirect("webhooks:detail", pk)
