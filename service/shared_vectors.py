"""Text vectors that every process serving one store maps from the same files.

The text vectors are most of an engine's memory (`benchmarks/suggest_latency.py` prints their
size), and every process that serves a store at one generation builds the same ones. So the
first process to build them writes them next to the store, under the generation and the
vectoriser they come from, and every process — itself included — maps those files
read-only: the operating system keeps one copy in memory for all of them, however many
workers serve. A second process that finds the files maps them instead of building.

A directory is written whole under a temporary name, made read-only and renamed into
place, so a reader sees either none or all of it, and nothing rewrites a file a process
maps; two processes that build at once both rename, and the second one's copy is simply
dropped. A copy that cannot be read is reported and the process keeps vectors of its own.
Older builds are removed once newer ones exist (a process still mapping a removed file
keeps reading it until it lets go).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from features.text import RowMatrix, TextVectors, specific_terms

log = logging.getLogger("kyoso.live")

KEEP = 2  # builds kept: the newest and the one before (a file already mapped stays readable)
PARTS = ("strengths.base", "strengths.base_t", "needs.base", "needs.base_t", "items.base")


def cache_dir(store_path: str) -> Path | None:
    """Where a store's shared vectors live (None for a store in memory)."""
    return None if store_path == ":memory:" else Path(store_path).parent / "vectors" / Path(store_path).name


def shared_text(directory: Path | None, key: str, vectorizer: TfidfVectorizer | None,
                build: Callable[[], TextVectors]) -> TextVectors:
    """The text vectors stored under ``key`` (made with ``vectorizer``), mapped; built with
    ``build`` and stored when missing. Without text (no vectoriser) they are small and kept
    in memory."""
    if directory is None or vectorizer is None:
        return build()
    path = directory / key
    built = None
    if not (path / "done").exists():
        built = build()
        _publish(built, directory, key)
    try:
        parts = {name: _load(path, name) for name in PARTS}
    except (OSError, ValueError) as exc:  # a damaged or vanished copy: keep one of our own
        log.warning("shared text vectors at %s unreadable (%s); this process keeps its own", path, exc)
        return built if built is not None else build()
    specific = built.specific if built is not None else specific_terms(vectorizer)
    if built is not None:
        del built  # this process too keeps only the mapped copy
        _give_back_freed_memory()
        _prune(directory)  # after mapping ours: a file already mapped stays readable
    return TextVectors(vectorizer, _row_matrix(parts["strengths.base"], parts["strengths.base_t"]),
                       _row_matrix(parts["needs.base"], parts["needs.base_t"]),
                       _row_matrix(parts["items.base"], None), specific)


def _give_back_freed_memory() -> None:
    """Return the heap the built copy leaves free to the system (glibc keeps it otherwise),
    so the process that built the vectors holds only the mapped copy, like the others."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: the process reuses it
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _publish(text: TextVectors, directory: Path, key: str) -> None:
    temporary = directory / f".{key}.{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    for name in PARTS:
        matrix = _part(text, name)
        for field in ("data", "indices", "indptr"):
            np.save(temporary / f"{name}.{field}.npy", getattr(matrix, field))
        np.save(temporary / f"{name}.shape.npy", np.array(matrix.shape, dtype=np.int64))
    for f in temporary.iterdir():  # mapped by running processes: never written again
        f.chmod(0o444)
    (temporary / "done").touch()
    try:
        temporary.rename(directory / key)
    except OSError:  # another process published the same vectors first
        shutil.rmtree(temporary, ignore_errors=True)


def _part(text: TextVectors, name: str) -> sp.csr_matrix:
    side, which = name.split(".")
    return getattr(getattr(text, side), which)


def _load(path: Path, name: str) -> sp.csr_matrix:
    shape = tuple(np.load(path / f"{name}.shape.npy"))
    data, indices, indptr = (np.load(path / f"{name}.{f}.npy", mmap_mode="r")
                             for f in ("data", "indices", "indptr"))
    return sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)


def _row_matrix(base: sp.csr_matrix, base_t: sp.csr_matrix | None) -> RowMatrix:
    return RowMatrix(base, base_t, sp.csr_matrix((0, base.shape[1]), dtype=np.float32),
                     np.empty(0, np.int64), np.full(base.shape[0], -1, dtype=np.int64))


def _prune(directory: Path) -> None:
    builds = sorted((p for p in directory.iterdir() if (p / "done").exists()),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
