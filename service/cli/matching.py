"""Sub-commands that match: suggest, and the nightly batch that stores lists."""

from __future__ import annotations

import argparse

import msgspec

from data.errors import KyosoError
from data.records import KINDS
from service.cli.common import (
    EXIT_OK,
    UsageError,
    dask_client,
    engine_arguments,
    open_store,
    positive,
    say,
    since_date,
)
from service.settings import Settings


def cmd_suggest(args: argparse.Namespace, settings: Settings) -> int:
    from matching.engine import Filters
    from service.modeling import engine_from_store

    with open_store(settings) as store:
        engine = engine_from_store(store)
    try:
        found = engine.suggest(args.org, k=args.k, mode=args.mode, theme=args.theme,
                               filters=Filters(kinds=tuple(args.kind or ()),
                                               regions=tuple(args.region or ()),
                                               new_only=args.new_only))
    except KyosoError as exc:
        raise UsageError(str(exc)) from exc
    say(msgspec.json.format(msgspec.json.encode(found), indent=2).decode())
    return EXIT_OK


def cmd_score_batch(args: argparse.Namespace, settings: Settings) -> int:
    from service.batch import local_runner, render_summary, run_batch

    with dask_client(args) as client, open_store(settings) as store:
        if client is None:
            runner = local_runner
        else:
            from service.dask_engine import dask_runner

            runner = dask_runner(client)
        summary = run_batch(store, since=args.since, k=args.k, chunk_size=args.chunk, runner=runner,
                            log=say, stall_rules=settings.stall_rules)
    say(render_summary(summary))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("suggest", help="partners for one organisation, with reasons (JSON)")
    p.add_argument("org", help="organisation id")
    p.add_argument("-k", type=positive, default=10)
    p.add_argument("--mode", choices=["co-creation", "collaboration"], default="co-creation")
    p.add_argument("--theme", help="restrict the theme signal to this outcome theme")
    p.add_argument("--kind", action="append", choices=list(KINDS), help="only these kinds")
    p.add_argument("--region", action="append", help="only these regions (e.g. JP-13)")
    p.add_argument("--new-only", action="store_true", help="exclude existing partners")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("score-batch", help="store suggestions for new registrants (nightly job)")
    p.add_argument("--since", type=since_date,
                   help="registered at or after this date (default: since the last finished run; "
                   "the first run covers everyone)")
    p.add_argument("-k", "--k", type=positive, default=20, help="stored suggestions each (default 20)")
    p.add_argument("--chunk", type=positive, default=100,
                   help="registrants per chunk, the unit of resumption (default 100)")
    engine_arguments(p)
    p.set_defaults(func=cmd_score_batch)
