import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the interview agent worker; arguments go to the LiveKit agents CLI "
        "(`start`, `dev`, `console`, `download-files`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("cli_args", nargs="*", metavar="ARG", help="e.g. start")

    def run_from_argv(self, argv):
        # The LiveKit CLI parses its own options (--log-level, --url, ...).
        sys.argv = [f"{argv[0]} {argv[1]}", *argv[2:]]
        self.handle()

    def handle(self, *args, **options):
        from agents.worker.entrypoint import run_cli

        run_cli()
