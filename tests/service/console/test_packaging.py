"""A non-editable install carries the console's templates and static files and Swagger UI's."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_package_data_covers_every_template_and_static_file():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared, packages = setuptools["package-data"], set(setuptools["packages"])
    for folder in ("service/console/templates", "service/console/static", "service/api/static"):
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file()]
        assert files, folder
        for file in files:  # each in a declared package, matched by its package's patterns
            package = file.parent.relative_to(ROOT).as_posix().replace("/", ".")
            assert package in packages, file
            assert any(fnmatch(file.name, pattern) for pattern in declared.get(package, ())), file
