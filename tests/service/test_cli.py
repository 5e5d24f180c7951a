from __future__ import annotations

import subprocess
import sys

import pytest

from service.cli import build_parser, main

SUBCOMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: kyoso" in capsys.readouterr().out


def test_generate_then_stats(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "generate", "--orgs", "300", "--seed", "1"]) == 0
    assert main(["--db", db, "stats"]) == 0
    out = capsys.readouterr().out
    assert "organisations: 300" in out and "funnel" in out


def test_generate_refuses_to_overwrite_without_replace(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "generate", "--orgs", "100"]) == 0
    assert main(["--db", db, "generate", "--orgs", "100"]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["--db", db, "generate", "--orgs", "120", "--replace"]) == 0


def test_bad_arguments_exit_with_usage_code(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "import", "cordis", str(tmp_path / "missing")]) == 2
    assert "organisations.parquet" in capsys.readouterr().err
    assert main(["--db", db, "stats"]) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db, "generate", "--orgs", "-5"])
    assert exit_info.value.code == 2


def test_keys_create_prints_the_key_once(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    main(["--db", db, "generate", "--orgs", "100"])
    capsys.readouterr()
    assert main(["--db", db, "keys", "create", "--role", "office", "--org", "org-0000001"]) == 0
    assert "ky_" in capsys.readouterr().out
    assert main(["--db", db, "keys", "create", "--role", "office"]) == 2


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "service.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "generate" in out
