"""Sub-commands of the follow-up: KPIs as a report."""

from __future__ import annotations

import argparse
from datetime import date

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
    from service.kpi_report import write_kpi_report
    from service.kpis import BadWindow, kpis

    with open_store(settings) as store:
        try:
            found = kpis(store, args.org, args.start, args.end, settings.stall_rules)
        except (UnknownOrganization, BadWindow) as exc:
            raise UsageError(str(exc)) from exc
    if args.report:
        say(f"report: {write_kpi_report(found, args.report)}")
    else:
        say(msgspec.json.format(msgspec.json.encode(found), indent=2).decode())
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kpis", help="follow-up KPIs: funnel, answers, declines, stalls, exposure")
    p.add_argument("--org", help="one organisation (default: the whole ecosystem)")
    p.add_argument("--from", dest="start", type=iso_date, help="first day (default: a year before --to)")
    p.add_argument("--to", dest="end", type=iso_date, help="last day (default: today)")
    p.add_argument("--report", help="write a Markdown report with SVG charts here (else print JSON)")
    p.set_defaults(func=cmd_kpis)
