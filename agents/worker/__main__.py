from agents.worker.entrypoint import run_cli

# Job processes resolve the entrypoint by its module name (agents.worker.entrypoint), so the
# server must be the importable module's, not one defined in __main__.
run_cli()
