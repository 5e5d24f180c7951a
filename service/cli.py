"""The ``kyoso`` command line: one sub-command per job, clear errors, honest exit codes.

Exit codes: 0 done, 1 the job failed, 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from data.errors import KyosoError
from data.records import KINDS
from data.store import Store
from service.serve import CLI_ACTOR, DEFAULT_SERVER, SERVERS
from service.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def _say(message: str) -> None:
    print(message, flush=True)


def _open_store(settings: Settings) -> Store:
    return Store(settings.db)


# --- generate ------------------------------------------------------------------------------


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from data.generator import generate, public_frame

    db = Path(settings.db)
    if db.exists():
        if not args.replace:
            with _open_store(settings) as store:
                if store.count("organizations"):
                    raise UsageError(f"{db} already holds an ecosystem; pass --replace to start anew")
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    orgs, items, outcomes, members = generate(args.orgs, args.seed, years=args.years)
    made = time.perf_counter()
    _say(f"generated {orgs.height:,} organisations, {items.height:,} items, "
         f"{outcomes.height:,} outcome events in {made - started:.1f}s")
    with _open_store(settings) as store:
        store.load_frames(public_frame(orgs), items, outcomes, members)
        store.set_meta("ecosystem", f"synthetic orgs={args.orgs} seed={args.seed} years={args.years}")
    _say(f"stored in {db} in {time.perf_counter() - made:.1f}s")
    return EXIT_OK


# --- import --------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from data import cordis

    try:
        tables = cordis.read_tables(args.dir)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    with _open_store(settings) as store:
        known_ids = store.ids("organizations")
        known_keys = store.ids("outcomes", prefix="cordis:")
        orgs, items, outcomes, members, report = cordis.to_frames(
            *tables, skip_ids=known_ids, skip_keys=known_keys)
        store.load_frames(orgs, items, outcomes, members)
        store.set_meta("ecosystem", f"cordis from {Path(args.dir).resolve()}")
        if store.count("items"):
            from service.modeling import reindex

            reindex(store)  # the new texts' terms become known to every serving process
    _say(msgspec.json.format(msgspec.json.encode(report), indent=2).decode())
    return EXIT_OK


# --- reindex -------------------------------------------------------------------------------


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from service.modeling import reindex

    with _open_store(settings) as store:
        model = reindex(store)
    _say(f"text vectoriser learned anew ({len(model.terms):,} terms) at generation {model.generation};"
         " every serving process rebuilds with it in the background")
    return EXIT_OK


# --- stats ---------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from service.stats import ecosystem_stats, render_stats

    if not Path(settings.db).exists():
        raise UsageError(f"no store at {settings.db}; run `kyoso generate` or `kyoso import` first")
    with _open_store(settings) as store:
        stats = ecosystem_stats(store)
    if args.json:
        _say(msgspec.json.encode(stats).decode())
    else:
        _say(render_stats(stats))
    return EXIT_OK


# --- export --------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    with _open_store(settings) as store:
        written = store.export_parquet(args.out)
    for name, rows in written.items():
        _say(f"{Path(args.out) / (name + '.parquet')}: {rows:,} rows")
    return EXIT_OK


# --- keys ----------------------------------------------------------------------------------


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    with _open_store(settings) as store:
        if args.keys_command == "create":
            try:
                record, plain = store.create_api_key(args.role, args.org)
            except ValueError as exc:
                raise UsageError(str(exc)) from exc
            _say(f"key id {record.id} ({record.role}{' for ' + record.org_id if record.org_id else ''})")
            _say(f"API key (shown once, store it now): {plain}")
        elif args.keys_command == "revoke":
            if not store.revoke_api_key(args.key_id):
                raise UsageError(f"no active key with id {args.key_id}")
            _say(f"revoked {args.key_id}")
    return EXIT_OK


# --- models --------------------------------------------------------------------------------


def _print_evaluation(ev) -> None:
    from service.modeling import mean_metric

    for warning in ev.warnings:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    _say(f"candidate recall: {ev.candidate_recall:.3f}")
    for name, value in mean_metric(ev.reports).items():
        cold = next(r.cold_start for r in ev.reports if r.name == name)
        _say(f"  {name:<22} NDCG@10 {value:.4f}   cold start {cold.ndcg_at_10:.4f} "
             f"({cold.queries} queries)")




def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from service.lifecycle import train
    from service.report import write_report

    promote = "force" if args.force else ("never" if args.no_promote else "if-better")
    with _dask_client(args) as client, _open_store(settings) as store:
        ev = train(store, settings.models_dir, actor=CLI_ACTOR, seed=args.seed, promote=promote,
                   log_line=_say, client=client)
    _print_evaluation(ev)
    if args.report:
        _say(f"report: {write_report(ev, args.report, 'Kyoso training report')}")
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from service.modeling import evaluate_job
    from service.report import write_report

    with _open_store(settings) as store:
        ev = evaluate_job(store, args.version)
    _print_evaluation(ev)
    _say(f"report: {write_report(ev, args.report)}")
    return EXIT_OK


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from data.registry import Registry
    from service import lifecycle

    with _open_store(settings) as store:
        registry = Registry(store)
        if args.models_command == "promote":
            previous = registry.live()
            verdict = lifecycle.promote(store, args.version, force=args.force, actor=CLI_ACTOR)
            _say(f"{args.version} is live (was {previous or 'none'}): {verdict.reason}")
        elif args.models_command == "rollback":
            previous = registry.live()
            _say(f"{lifecycle.rollback(store, actor=CLI_ACTOR)} is live again (was {previous})")
        elif args.models_command == "history":
            for h in registry.history():
                _say(f"{h.at}  {h.action:<8} {h.version or '(heuristic)':<28} by {h.actor}"
                     f"{'  ' + h.reason if h.reason else ''}")
        else:
            for m in registry.models():
                ndcg = m.metrics.get("ndcg_at_10")
                _say(f"{'*' if m.live else ' '} {m.version}  ndcg@10={ndcg}  {m.path}")
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace, settings: Settings) -> int:
    from matching.engine import Filters
    from service.modeling import engine_from_store

    with _open_store(settings) as store:
        engine = engine_from_store(store)
    try:
        found = engine.suggest(args.org, k=args.k, mode=args.mode, theme=args.theme,
                               filters=Filters(kinds=tuple(args.kind or ()),
                                               regions=tuple(args.region or ()),
                                               new_only=args.new_only))
    except KyosoError as exc:
        raise UsageError(str(exc)) from exc
    _say(msgspec.json.format(msgspec.json.encode(found), indent=2).decode())
    return EXIT_OK


# --- nightly batch -------------------------------------------------------------------------


def _since(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected an ISO date such as 2026-11-20") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@contextmanager
def _dask_client(args: argparse.Namespace) -> Iterator[Any]:
    """The Dask client for ``--engine dask`` (None for the local engine), closed after use."""
    if args.engine != "dask":
        yield None
        return
    if not args.scheduler:
        raise UsageError("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    from service.dask_engine import connect

    with connect(args.scheduler) as client:
        yield client


def cmd_score_batch(args: argparse.Namespace, settings: Settings) -> int:
    from service.batch import local_runner, render_summary, run_batch

    with _dask_client(args) as client, _open_store(settings) as store:
        if client is None:
            runner = local_runner
        else:
            from service.dask_engine import dask_runner

            runner = dask_runner(client)
        summary = run_batch(store, since=args.since, k=args.k, chunk_size=args.chunk, runner=runner,
                            log=_say)
    _say(render_summary(summary))
    return EXIT_OK


# --- benchmark -----------------------------------------------------------------------------


def cmd_benchmark(args: argparse.Namespace, settings: Settings) -> int:
    from service.benchmark import BenchmarkInputError, run_cordis, score

    try:
        if args.bench_command == "cordis":
            for path in (args.data, args.queries):
                if not Path(path).exists():
                    raise UsageError(f"{path} does not exist")
            run_cordis(args.data, args.queries, args.out, system=args.system, k=args.k, log=_say)
        else:
            for path in (args.queries, args.truth, args.predictions):
                if not Path(path).exists():
                    raise UsageError(f"{path} does not exist")
            results = score(args.queries, args.truth, args.predictions)
            _say("| kind | queries | NDCG@10 | recall@50 | MRR |")
            _say("|---|---|---|---|---|")
            for kind, m in results.items():
                _say(f"| {kind} | {m['queries']} | {m['ndcg@10']:.4f} | {m['recall@50']:.4f} | "
                     f"{m['mrr']:.4f} |")
    except (BenchmarkInputError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


# --- serve ---------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from service.serve import prepare_first_run, run_server

    if not Path(settings.db).exists():
        raise UsageError(f"no store at {settings.db}; run `kyoso generate` or `kyoso import` first")
    prepare_first_run(settings, args.host, args.port, log=_say)
    run_server(settings, host=args.host, port=args.port, workers=args.workers, server=args.server)
    return EXIT_OK


# --- parser --------------------------------------------------------------------------------


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


def _engine_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="run here (default) or on a Dask cluster")
    p.add_argument("--scheduler", help="Dask scheduler address, with --engine dask")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kyoso", description="Kyoso: two-way complementary co-creation partners, consortia "
        "and themes for innovation offices.")
    parser.add_argument("--db", help="SQLite store (default: $KYOSO_DB or var/kyoso.db)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("generate", help="make a synthetic ecosystem into the store")
    p.add_argument("--orgs", type=_positive, default=2000, help="number of organisations (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same ecosystem)")
    p.add_argument("--years", type=_positive, default=4, help="years of outcome history (default 4)")
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

    p = sub.add_parser("keys", help="manage API keys")
    keys = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    k = keys.add_parser("create", help="create a key and print it once")
    k.add_argument("--role", required=True, choices=["admin", "analyst", "office"])
    k.add_argument("--org", help="organisation an office key acts for")
    k = keys.add_parser("revoke", help="revoke a key by its id")
    k.add_argument("key_id")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("train", help="train a ranker on the outcome log, evaluate, register")
    p.add_argument("--seed", type=int, default=0)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--force", action="store_true", help="promote even if worse than live")
    group.add_argument("--no-promote", action="store_true", help="register only")
    p.add_argument("--report", help="also write a Markdown report (and SVG chart) here")
    _engine_arguments(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="evaluate a model beside the baselines on a time split")
    p.add_argument("--version", help="model version (default: the live model)")
    p.add_argument("--report", default="reports/evaluation.md", help="Markdown report path")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("models", help="list, promote or roll back model versions")
    models = p.add_subparsers(dest="models_command", metavar="ACTION")
    models.add_parser("list", help="list versions (* = live)")
    m = models.add_parser("promote", help="make a version live if it beats the live model and the"
                          " baselines on the current split")
    m.add_argument("version")
    m.add_argument("--force", action="store_true", help="promote even if the rule says no")
    models.add_parser("rollback", help="return to the version before the live one in the history")
    models.add_parser("history", help="every promotion, rollback and fallback, with who and when")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("suggest", help="partners for one organisation, with reasons (JSON)")
    p.add_argument("org", help="organisation id")
    p.add_argument("-k", type=_positive, default=10)
    p.add_argument("--mode", choices=["co-creation", "collaboration"], default="co-creation")
    p.add_argument("--theme", help="restrict the theme signal to this outcome theme")
    p.add_argument("--kind", action="append", choices=list(KINDS), help="only these kinds")
    p.add_argument("--region", action="append", help="only these regions (e.g. JP-13)")
    p.add_argument("--new-only", action="store_true", help="exclude existing partners")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("score-batch", help="store suggestions for new registrants (nightly job)")
    p.add_argument("--since", type=_since,
                   help="registered at or after this date (default: since the last finished run; "
                   "the first run covers everyone)")
    p.add_argument("-k", "--k", type=_positive, default=20, help="stored suggestions each (default 20)")
    p.add_argument("--chunk", type=_positive, default=100,
                   help="registrants per chunk, the unit of resumption (default 100)")
    _engine_arguments(p)
    p.set_defaults(func=cmd_score_batch)

    p = sub.add_parser("serve", help="serve the HTTP API (trains a model first if none is live)")
    p.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=_positive, default=1, help="server processes (each one follows "
                   "the store: they serve the same generation and model within a poll)")
    p.add_argument("--server", choices=list(SERVERS), default=DEFAULT_SERVER,
                   help=f"the HTTP server (default {DEFAULT_SERVER}: see docs/benchmarks.md)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("benchmark", help="real-data benchmarks")
    bench = p.add_subparsers(dest="bench_command", required=True, metavar="ACTION")
    b = bench.add_parser("cordis", help="rank partners for CORDIS-format queries")
    b.add_argument("--data", required=True, help="directory with the CORDIS-format tables")
    b.add_argument("--queries", required=True, help="queries Parquet file")
    b.add_argument("--out", required=True, help="predictions Parquet file to write")
    b.add_argument("--system", default="kyoso",
                   choices=["kyoso", "popularity", "theme_popularity", "repeat", "adamic_adar"])
    b.add_argument("--k", type=_positive, default=100, help="answers per query (default 100)")
    b = bench.add_parser("score", help="score predictions against the truth")
    b.add_argument("--queries", required=True)
    b.add_argument("--truth", required=True)
    b.add_argument("--predictions", required=True)
    p.set_defaults(func=cmd_benchmark)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env(db=args.db)
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


if __name__ == "__main__":
    sys.exit(main())
