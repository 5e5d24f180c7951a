"""What every sub-command shares: exit codes, usage errors, output, the store, argument types."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from data.store import Store
from service.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def say(message: str) -> None:
    print(message, flush=True)


def open_store(settings: Settings) -> Store:
    return Store(settings.db)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


def since_date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected an ISO date such as 2026-11-20") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@contextmanager
def dask_client(args: argparse.Namespace) -> Iterator[Any]:
    """The Dask client for ``--engine dask`` (None for the local engine), closed after use."""
    if args.engine != "dask":
        yield None
        return
    if not args.scheduler:
        raise UsageError("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    from service.dask_engine import connect

    with connect(args.scheduler) as client:
        yield client


def engine_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="run here (default) or on a Dask cluster")
    p.add_argument("--scheduler", help="Dask scheduler address, with --engine dask")
