"""Sub-commands that fill and describe the store: generate, import, reindex, stats, export."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import msgspec

from service.cli.common import EXIT_OK, UsageError, open_store, positive, say
from service.settings import Settings


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from data.generator import END, generate, public_frame
    from data.generator.follow_up import follow_up
    from data.introduction_history import load_follow_up

    db = Path(settings.db)
    if db.exists():
        if not args.replace:
            with open_store(settings) as store:
                if store.count("organizations"):
                    raise UsageError(f"{db} already holds an ecosystem; pass --replace to start anew")
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    orgs, items, outcomes, members = generate(args.orgs, args.seed, years=args.years)
    recent = follow_up(orgs, outcomes, members, args.seed, END)
    made = time.perf_counter()
    say(f"generated {orgs.height:,} organisations, {items.height:,} items, "
        f"{outcomes.height:,} outcome events, {recent.introductions.height:,} recent introductions "
        f"({recent.events.height:,} events, {recent.ndas.height:,} NDA steps) in {made - started:.1f}s")
    with open_store(settings) as store:
        store.load_frames(public_frame(orgs), items, outcomes, members)
        load_follow_up(store, recent)
        store.set_meta("ecosystem", f"synthetic orgs={args.orgs} seed={args.seed} years={args.years}")
    say(f"stored in {db} in {time.perf_counter() - made:.1f}s")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from data import cordis

    try:
        tables = cordis.read_tables(args.dir)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    with open_store(settings) as store:
        known_ids = store.ids("organizations")
        known_keys = store.ids("outcomes", prefix="cordis:")
        orgs, items, outcomes, members, report = cordis.to_frames(
            *tables, skip_ids=known_ids, skip_keys=known_keys)
        store.load_frames(orgs, items, outcomes, members)
        store.set_meta("ecosystem", f"cordis from {Path(args.dir).resolve()}")
        if store.count("items"):
            from service.modeling import reindex

            reindex(store)  # the new texts' terms become known to every serving process
    say(msgspec.json.format(msgspec.json.encode(report), indent=2).decode())
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from service.modeling import reindex

    with open_store(settings) as store:
        model = reindex(store)
    say(f"text vectoriser learned anew ({len(model.terms):,} terms) at generation {model.generation};"
         " every serving process rebuilds with it in the background")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from service.stats import ecosystem_stats, render_stats

    if not Path(settings.db).exists():
        raise UsageError(f"no store at {settings.db}; run `kyoso generate` or `kyoso import` first")
    with open_store(settings) as store:
        stats = ecosystem_stats(store)
    if args.json:
        say(msgspec.json.encode(stats).decode())
    else:
        say(render_stats(stats))
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        written = store.export_parquet(args.out)
    for name, rows in written.items():
        say(f"{Path(args.out) / (name + '.parquet')}: {rows:,} rows")
    return EXIT_OK



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("generate", help="make a synthetic ecosystem into the store")
    p.add_argument("--orgs", type=positive, default=2000, help="number of organisations (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same ecosystem)")
    p.add_argument("--years", type=positive, default=4, help="years of outcome history (default 4)")
    p.add_argument("--replace", action="store_true", help="replace an existing store")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("import", help="import an outside dataset into the store")
    p.add_argument("source", choices=["cordis"], help="dataset format")
    p.add_argument("dir", help="directory holding the dataset's tables")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("reindex", help="learn the text vectoriser anew; servers rebuild with it")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("stats", help="what is in the store")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("export", help="write organisations and outcomes as Parquet")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_export)
