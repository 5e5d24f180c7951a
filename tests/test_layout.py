"""The pure core never loads the shell: features/ and matching/ do no I/O of their own."""

from __future__ import annotations

import subprocess
import sys


def test_pure_packages_do_not_import_the_service_or_the_store():
    code = (
        "import sys, pkgutil, importlib\n"
        "import features, matching\n"
        "for pkg in (features, matching):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'service', 'litestar', 'sqlite3'}"
        " or m == 'data.store')\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
