"""The ``benchmark`` sub-command: the real-data benchmark on CORDIS-format consortia."""

from __future__ import annotations

import argparse
from pathlib import Path

from service.cli.common import EXIT_OK, UsageError, positive, say
from service.settings import Settings


def cmd_benchmark(args: argparse.Namespace, settings: Settings) -> int:
    from service.benchmark import BenchmarkInputError, run_cordis, score

    try:
        if args.bench_command == "cordis":
            for path in (args.data, args.queries):
                if not Path(path).exists():
                    raise UsageError(f"{path} does not exist")
            run_cordis(args.data, args.queries, args.out, system=args.system, k=args.k, log=say)
        else:
            for path in (args.queries, args.truth, args.predictions):
                if not Path(path).exists():
                    raise UsageError(f"{path} does not exist")
            results = score(args.queries, args.truth, args.predictions)
            say("| kind | queries | NDCG@10 | recall@50 | MRR |")
            say("|---|---|---|---|---|")
            for kind, m in results.items():
                say(f"| {kind} | {m['queries']} | {m['ndcg@10']:.4f} | {m['recall@50']:.4f} | "
                     f"{m['mrr']:.4f} |")
    except (BenchmarkInputError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("benchmark", help="real-data benchmarks")
    bench = p.add_subparsers(dest="bench_command", required=True, metavar="ACTION")
    b = bench.add_parser("cordis", help="rank partners for CORDIS-format queries")
    b.add_argument("--data", required=True, help="directory with the CORDIS-format tables")
    b.add_argument("--queries", required=True, help="queries Parquet file")
    b.add_argument("--out", required=True, help="predictions Parquet file to write")
    b.add_argument("--system", default="kyoso",
                   choices=["kyoso", "popularity", "theme_popularity", "repeat", "adamic_adar"])
    b.add_argument("--k", type=positive, default=100, help="answers per query (default 100)")
    b = bench.add_parser("score", help="score predictions against the truth")
    b.add_argument("--queries", required=True)
    b.add_argument("--truth", required=True)
    b.add_argument("--predictions", required=True)
    p.set_defaults(func=cmd_benchmark)
