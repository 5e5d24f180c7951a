"""The ``serve`` sub-command: the HTTP API."""

from __future__ import annotations

import argparse
from pathlib import Path

from service.cli.common import EXIT_OK, UsageError, positive, say
from service.serve import DEFAULT_SERVER, SERVERS
from service.settings import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from service.serve import prepare_first_run, run_server

    if not Path(settings.db).exists():
        raise UsageError(f"no store at {settings.db}; run `kyoso generate` or `kyoso import` first")
    prepare_first_run(settings, args.host, args.port, log=say)
    run_server(settings, host=args.host, port=args.port, workers=args.workers, server=args.server)
    return EXIT_OK



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the HTTP API (trains a model first if none is live)")
    p.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=positive, default=1, help="server processes (each one follows "
                   "the store: they serve the same generation and model within a poll)")
    p.add_argument("--server", choices=list(SERVERS), default=DEFAULT_SERVER,
                   help=f"the HTTP server (default {DEFAULT_SERVER}: see docs/benchmarks.md)")
    p.set_defaults(func=cmd_serve)
