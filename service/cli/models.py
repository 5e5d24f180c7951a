"""Sub-commands of the model lifecycle: train, evaluate, models."""

from __future__ import annotations

import argparse
import sys

from service.cli.common import EXIT_OK, dask_client, engine_arguments, open_store, say
from service.serve import CLI_ACTOR
from service.settings import Settings


def _print_evaluation(ev) -> None:
    from service.modeling import mean_metric

    for warning in ev.warnings:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    say(f"candidate recall: {ev.candidate_recall:.3f}")
    for name, value in mean_metric(ev.reports).items():
        cold = next(r.cold_start for r in ev.reports if r.name == name)
        say(f"  {name:<22} NDCG@10 {value:.4f}   cold start {cold.ndcg_at_10:.4f} "
             f"({cold.queries} queries)")


def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from service.lifecycle import train
    from service.report import write_report

    promote = "force" if args.force else ("never" if args.no_promote else "if-better")
    with dask_client(args) as client, open_store(settings) as store:
        ev = train(store, settings.models_dir, actor=CLI_ACTOR, seed=args.seed, promote=promote,
                   log_line=say, client=client)
    _print_evaluation(ev)
    if args.report:
        say(f"report: {write_report(ev, args.report, 'Kyoso training report')}")
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from service.modeling import evaluate_job
    from service.report import write_report

    with open_store(settings) as store:
        ev = evaluate_job(store, args.version)
    _print_evaluation(ev)
    say(f"report: {write_report(ev, args.report)}")
    return EXIT_OK


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from data.registry import Registry
    from service import lifecycle

    with open_store(settings) as store:
        registry = Registry(store)
        if args.models_command == "promote":
            previous = registry.live()
            verdict = lifecycle.promote(store, args.version, force=args.force, actor=CLI_ACTOR)
            say(f"{args.version} is live (was {previous or 'none'}): {verdict.reason}")
        elif args.models_command == "rollback":
            previous = registry.live()
            say(f"{lifecycle.rollback(store, actor=CLI_ACTOR)} is live again (was {previous})")
        elif args.models_command == "history":
            for h in registry.history():
                say(f"{h.at}  {h.action:<8} {h.version or '(heuristic)':<28} by {h.actor}"
                     f"{'  ' + h.reason if h.reason else ''}")
        else:
            for m in registry.models():
                ndcg = m.metrics.get("ndcg_at_10")
                say(f"{'*' if m.live else ' '} {m.version}  ndcg@10={ndcg}  {m.path}")
    return EXIT_OK



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a ranker on the outcome log, evaluate, register")
    p.add_argument("--seed", type=int, default=0)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--force", action="store_true", help="promote even if worse than live")
    group.add_argument("--no-promote", action="store_true", help="register only")
    p.add_argument("--report", help="also write a Markdown report (and SVG chart) here")
    engine_arguments(p)
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
