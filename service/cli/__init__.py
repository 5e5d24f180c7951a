"""The ``kyoso`` command line: one sub-command per job, clear errors, honest exit codes.

Exit codes: 0 done, 1 the job failed, 2 bad usage or bad input.
"""

from service.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
