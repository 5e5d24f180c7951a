"""Sub-commands of the follow-up: KPIs as a report, and the digests of what to act on."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

import msgspec

from service.cli.common import EXIT_OK, UsageError, open_store, say
from service.settings import Settings


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected an ISO date such as 2026-11-20") from None


def cmd_kpis(args: argparse.Namespace, settings: Settings) -> int:
    from data.errors import UnknownOrganization
    from service.kpi_report import BadReportPath, check_report_path, write_kpi_report
    from service.kpis import BadWindow, kpis

    try:
        if args.report:
            check_report_path(args.report)
    except BadReportPath as exc:
        raise UsageError(f"--report: {exc}") from None
    with open_store(settings) as store:
        try:
            found = kpis(store, args.org, args.start, args.end, settings.stall_rules)
        except (UnknownOrganization, BadWindow) as exc:
            raise UsageError(str(exc)) from exc
    if args.report:
        try:
            say(f"report: {write_kpi_report(found, args.report)}")
        except BadReportPath as exc:
            raise UsageError(f"--report: {exc}") from None
    else:
        say(msgspec.json.format(msgspec.json.encode(found), indent=2).decode())
    return EXIT_OK


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from data.batch_runs import BatchRuns
    from data.digests import Digests
    from data.errors import UnknownOrganization
    from service.digest import Digest, digest, render_text

    with open_store(settings) as store:
        if args.org and args.run is None:
            on = args.date or datetime.now(UTC).date()
            try:
                found = [digest(store, args.org, on, settings.stall_rules)]
            except UnknownOrganization as exc:
                raise UsageError(str(exc)) from exc
        else:
            run = args.run or Digests(store).last_run()
            if run is None or (args.run and BatchRuns(store).get(args.run) is None):
                raise UsageError(f"no nightly run {args.run}" if args.run else
                                 "no digests stored yet: run `kyoso score-batch`, or pass --org")
            decoder = msgspec.json.Decoder(Digest)
            found = [decoder.decode(body) for _, body in Digests(store).of_run(run, args.org)]
    if args.format == "json":
        say(msgspec.json.format(msgspec.json.encode(found), indent=2).decode())
    else:
        say("\n\n".join(render_text(d) for d in found) or "no digests in this run")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kpis", help="follow-up KPIs: funnel, answers, declines, stalls, exposure")
    p.add_argument("--org", help="one organisation (default: the whole ecosystem)")
    p.add_argument("--from", dest="start", type=iso_date, help="first day (default: a year before --to)")
    p.add_argument("--to", dest="end", type=iso_date, help="last day (default: today)")
    p.add_argument("--report", help="write a Markdown report with SVG charts here (else print JSON)")
    p.set_defaults(func=cmd_kpis)

    p = sub.add_parser("digest", help="what an office should act on today (stored by the nightly batch)")
    p.add_argument("--org", help="one organisation: its digest now (or in the run given by --run)")
    p.add_argument("--date", type=iso_date, help="the day, with --org (default: today)")
    p.add_argument("--run", help="a nightly run's stored digests (default: the last run that wrote any)")
    p.add_argument("--format", choices=["json", "text"], default="text", help="output (default text)")
    p.set_defaults(func=cmd_digest)
