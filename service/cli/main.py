"""The ``kyoso`` parser and entry point: each sub-command module registers its own parsers."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from data.errors import KyosoError
from service.cli import benchmark, ecosystem, followup, keys, matching, models, serve
from service.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError
from service.settings import BadSetting, Settings

MODULES = (ecosystem, keys, models, matching, serve, benchmark, followup)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kyoso", description="Kyoso: two-way complementary co-creation partners, consortia "
        "and themes for innovation offices.")
    parser.add_argument("--db", help="SQLite store (default: $KYOSO_DB or var/kyoso.db)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(db=args.db)
    except BadSetting as exc:
        print(f"kyoso {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args, settings)
    except UsageError as exc:
        print(f"kyoso {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KyosoError as exc:
        print(f"kyoso {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"kyoso {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader stopped early (`kyoso digest | head`): nothing is wrong. Point stdout at
        # /dev/null so the interpreter's last flush does not fail on the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
