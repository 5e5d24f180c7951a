"""The ``keys`` sub-command: create and revoke API keys."""

from __future__ import annotations

import argparse

from service.cli.common import EXIT_OK, UsageError, open_store, say
from service.settings import Settings


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        if args.keys_command == "create":
            try:
                record, plain = store.create_api_key(args.role, args.org)
            except ValueError as exc:
                raise UsageError(str(exc)) from exc
            say(f"key id {record.id} ({record.role}{' for ' + record.org_id if record.org_id else ''})")
            say(f"API key (shown once, store it now): {plain}")
        elif args.keys_command == "revoke":
            if not store.revoke_api_key(args.key_id):
                raise UsageError(f"no active key with id {args.key_id}")
            say(f"revoked {args.key_id}")
    return EXIT_OK



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keys", help="manage API keys")
    keys = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    k = keys.add_parser("create", help="create a key and print it once")
    k.add_argument("--role", required=True, choices=["admin", "analyst", "office"])
    k.add_argument("--org", help="organisation an office key acts for")
    k = keys.add_parser("revoke", help="revoke a key by its id")
    k.add_argument("key_id")
    p.set_defaults(func=cmd_keys)
