"""Admin pages for provider profiles: list, create, edit, duplicate, delete,
activate, test connections and fetch models. Thin: forms validate, services write."""

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts.permissions import admin_required
from providers import selectors, services
from providers.checks import discover
from providers.forms import ProviderProfileForm, clean_base_url
from providers.models import ProviderProfile
from providers.presets import PRESETS

# Fetching models is interactive: a person is waiting for the list.
DISCOVERY_TIMEOUT = 15.0


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@admin_required
def profile_list(request):
    rows = [
        {"profile": profile, "check": selectors.profile_check_summary(profile=profile)}
        for profile in selectors.profile_list()
    ]
    return render(request, "providers/list.html", {"rows": rows})


def _wants_test(request):
    return request.POST.get("then") == "test"


def _render_form(
    request,
    form,
    *,
    title,
    submit,
    submit_and_test,
    key_source=None,
    active=False,
    presets=None,
    preset=None,
):
    if request.method == "POST" and form.errors and form.typed_a_key:
        messages.warning(
            request,
            "Keys you typed are never shown again, so enter them once more before saving.",
        )
    return render(
        request,
        "providers/form.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "submit_and_test": submit_and_test,
            "key_source": key_source,
            "active": active,
            "editing": form.instance.pk is not None,
            "presets": presets,
            "preset": preset,
        },
        status=400 if form.errors else 200,
    )


# Error reports (DEBUG pages, admin emails) must not show keys typed into the form.
hide_keys = sensitive_post_parameters(*ProviderProfile.SECRET_FIELDS)


@admin_required
@hide_keys
def profile_create(request):
    preset = PRESETS.get(request.GET.get("preset", ""))
    if request.GET.get("preset") and preset is None:
        messages.warning(request, "There is no such preset; the form starts empty.")
    form = ProviderProfileForm(request.POST or None, initial=preset.values if preset else None)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        if services.profile_save(profile=profile, test=_wants_test(request)):
            messages.success(
                request, f'"{profile.name}" was created and is being tested: results appear below.'
            )
        else:
            messages.success(
                request, f'"{profile.name}" was created. Test it before activating it.'
            )
        return redirect("providers:list")
    return _render_form(
        request,
        form,
        title="New provider profile",
        submit="Create profile",
        submit_and_test="Create and test",
        presets=PRESETS,
        preset=preset,
    )


def _profile_or_404(pk):
    """The profile with its readable keys: one no configured key decrypts is named in
    `unreadable_keys` instead of stopping the page."""
    profile = selectors.profile_with_keys(pk=pk)
    if profile is None:
        raise Http404("No such provider profile.")
    return profile


@admin_required
@hide_keys
def profile_edit(request, pk):
    profile = _profile_or_404(pk)
    form = ProviderProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        run = services.profile_save(profile=profile, test=_wants_test(request))
        if run and selectors.profile_check_summary(profile=profile)["changed"]:
            messages.success(
                request,
                f'"{profile.name}" was saved. Its servers, models or keys changed, so the old '
                "test results were cleared and it is being tested again: results appear below.",
            )
        elif run:
            messages.success(
                request, f'"{profile.name}" was saved and is being tested: results appear below.'
            )
        else:
            messages.success(request, f'"{profile.name}" was saved.')
        return redirect("providers:list")
    return _render_form(
        request,
        form,
        title=f"Edit {profile.name}",
        submit="Save changes",
        submit_and_test="Save and test",
        key_source=profile.pk,
        active=profile.is_active,
    )


def _copy_name(name):
    candidate, number = f"{name} (copy)", 2
    while ProviderProfile.objects.filter(name=candidate).exists():
        candidate, number = f"{name} (copy {number})", number + 1
    return candidate[:100]


@admin_required
@hide_keys
def profile_duplicate(request, pk):
    source = _profile_or_404(pk)
    # An unsaved copy keeps the source's keys, so blank key fields carry them over.
    copy = _profile_or_404(pk)
    copy.pk = None
    copy.is_active = False
    copy.last_check = {}
    copy.last_checked_at = None
    copy.name = _copy_name(source.name)
    form = ProviderProfileForm(request.POST or None, instance=copy)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        testing = services.profile_save(profile=profile, test=_wants_test(request))
        messages.success(
            request,
            f'"{profile.name}" was created from "{source.name}"'
            + (" and is being tested: results appear below." if testing else "."),
        )
        return redirect("providers:list")
    return _render_form(
        request,
        form,
        title=f"Duplicate {source.name}",
        submit="Create copy",
        submit_and_test="Create copy and test",
        key_source=source.pk,
    )


@admin_required
def profile_delete(request, pk):
    profile = _profile_or_404(pk)
    if request.method == "POST":
        try:
            services.profile_delete(profile=profile)
        except services.ProfileInUse as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f'"{profile.name}" was deleted.')
        return redirect("providers:list")
    return render(request, "providers/confirm_delete.html", {"profile": profile})


@admin_required
@require_POST
def profile_activate(request, pk):
    profile = _profile_or_404(pk)
    if profile.unreadable_keys:
        return _key_unreadable(request, profile)
    services.profile_activate(profile=profile)
    messages.success(request, f'"{profile.name}" is now active: new interviews use its models.')
    return redirect("providers:list")


@admin_required
@require_POST
def profile_test(request, pk):
    profile = _profile_or_404(pk)
    if profile.unreadable_keys:
        if _wants_json(request):
            return JsonResponse({"error": _unreadable_message(profile)}, status=409)
        return _key_unreadable(request, profile)
    run = services.profile_request_check(profile=profile)
    if _wants_json(request):
        return JsonResponse({"profile": profile.pk, "run": run, "state": "queued"}, status=202)
    messages.info(request, f'Testing "{profile.name}": results appear below as they arrive.')
    return redirect("providers:list")


def _unreadable_message(profile):
    return (
        f'"{profile.name}" has an API key that can\'t be read (key unreadable: enter it '
        "again), so it can't be used until the key is entered again on its edit page."
    )


def _key_unreadable(request, profile):
    messages.error(request, _unreadable_message(profile))
    return redirect("providers:edit", pk=profile.pk)


def _same_origin(first, second):
    a, b = urlsplit(first), urlsplit(second)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


@admin_required
@require_POST
@sensitive_post_parameters()
@sensitive_variables("data", "api_key", "stored_key", "probe")
def profile_fetch_models(request):
    """JSON: models (and voices for TTS) a server offers, for the form's suggestions.

    Takes the form's current base URL and key. A blank key means the stored key
    of the profile being edited, but only for the same server it is stored for,
    so a stored key is never sent to a new address typed into the form.
    """
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"errors": ["The request was not valid JSON."]}, status=400)
    service = data.get("service")
    if service not in ProviderProfile.SERVICES:
        return JsonResponse({"errors": ["Unknown service."]}, status=400)
    try:
        base_url = clean_base_url(str(data.get("base_url") or ""))
    except ValidationError as error:
        return JsonResponse({"service": service, "errors": error.messages}, status=400)
    api_key = str(data.get("api_key") or "").strip()
    profile_id = data.get("profile")
    stored = (
        ProviderProfile.objects.filter(pk=profile_id).first()
        if isinstance(profile_id, int) or str(profile_id or "").isdigit()
        else None
    )
    if not api_key and stored is not None:
        stored_url, _model, stored_key = stored.service_settings(service)
        if _same_origin(stored_url, base_url):
            api_key = stored_key
    probe = ProviderProfile(**{f"{service}_base_url": base_url, f"{service}_api_key": api_key})
    found = discover(probe, service, timeout=DISCOVERY_TIMEOUT)
    return JsonResponse(found, status=200 if not found["errors"] or found["models"] else 502)
