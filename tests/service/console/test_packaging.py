"""A non-editable install carries the console's templates and static files and Swagger UI's."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_package_data_covers_every_template_and_static_file():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package, folders in (("service.console", ("templates", "static")), ("service.api", ("static",))):
        base = ROOT / package.replace(".", "/")
        files = [p.relative_to(base).as_posix() for f in folders
                 for p in (base / f).rglob("*") if p.is_file()]
        assert files, package
        missing = [f for f in files if not any(fnmatch(f, pattern) for pattern in declared[package])]
        assert not missing, (package, missing)
