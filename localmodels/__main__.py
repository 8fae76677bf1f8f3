"""``python -m localmodels [--host 127.0.0.1] [--port 8100]``"""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web

from .app import create_app
from .config import Settings


def main(argv: list[str] | None = None) -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m localmodels", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument(
        "--max-upload-mb", type=int, default=settings.max_upload_bytes // (1024 * 1024)
    )
    parser.add_argument(
        "--services",
        default=",".join(settings.services),
        help="comma-separated subset of stt,tts,llm",
    )
    parser.add_argument("--log-level", default=os.environ.get("LOCALMODELS_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    settings.host, settings.port = args.host, args.port
    settings.max_upload_bytes = args.max_upload_mb * 1024 * 1024
    settings.services = tuple(s.strip() for s in args.services.split(",") if s.strip())
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("localmodels").info(
        "localmodels listening on http://%s:%d (services: %s, auth: %s)",
        settings.host,
        settings.port,
        ",".join(settings.services),
        "on" if settings.api_key else "off",
    )
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=None,
        handle_signals=True,
    )


if __name__ == "__main__":
    main()
