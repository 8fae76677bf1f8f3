from django.core.management.base import BaseCommand, CommandError

from providers import checks, selectors
from providers.models import ProviderProfile


class Command(BaseCommand):
    help = (
        "Test a provider profile's endpoints from this machine: LLM chat and JSON replies, "
        "speech synthesis, transcription of that speech, and each service's model list. "
        "Exits non-zero when any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profile", help="Profile name (default: the active profile).")
        parser.add_argument(
            "--timeout",
            type=float,
            default=checks.CHECK_TIMEOUT,
            help="Seconds to wait for each answer (default: %(default)s).",
        )

    def handle(self, *args, profile=None, timeout, **options):
        try:
            if profile:
                chosen = selectors.profile_get_by_name(name=profile)
            else:
                chosen = selectors.profile_get_active()
        except (ProviderProfile.DoesNotExist, selectors.NoActiveProfile) as error:
            raise CommandError(str(error)) from None

        self.stdout.write(f'Checking "{chosen.name}"')
        for service in ProviderProfile.SERVICES:
            base_url, model, api_key = chosen.service_settings(service)
            key = "key set" if api_key else "no key"
            name = checks.SERVICE_NAMES[service]
            self.stdout.write(f"  {name}: {base_url} (model {model}, {key})")
        self.stdout.write("")

        results = checks.run_checks(chosen, timeout=timeout, on_result=self._print)
        failed = [r for r in results if r.status == checks.FAIL]
        self.stdout.write("")
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} checks failed.")
        self.stdout.write(self.style.SUCCESS(f"All {len(results)} checks passed."))

    def _print(self, result):
        style = {
            checks.PASS: self.style.SUCCESS,
            checks.FAIL: self.style.ERROR,
        }.get(result.status, self.style.WARNING)
        latency = f"{result.latency_ms} ms" if result.latency_ms is not None else "-"
        status = style(f"{result.status.upper():<4}")
        self.stdout.write(f"{status}  {result.label:<32} {latency:>8}  {result.message}")
