"""Model artefacts on disk: a versioned directory holding the model text and its manifest.

A directory is written under a temporary name and renamed into place, so a reader
never sees half a model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import msgspec

from data.records import ModelManifest as Manifest

MODEL_FILE = "model.txt"
MANIFEST_FILE = "manifest.json"


def checksum(model_bytes: bytes) -> str:
    """The sha256 of a model file's bytes, as stored in the manifest and the registry."""
    return hashlib.sha256(model_bytes).hexdigest()


def save_model_dir(root: str | Path, version: str, model_text: str, manifest: Manifest) -> Path:
    """Write the model and its manifest (which records the model file's checksum)."""
    root = Path(root)
    manifest = msgspec.structs.replace(manifest, checksum=checksum(model_text.encode()))
    root.mkdir(parents=True, exist_ok=True)
    target = root / version
    if target.exists():
        raise FileExistsError(f"model version {version} already exists at {target}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root))
    try:
        for name, payload in ((MODEL_FILE, model_text.encode()),
                              (MANIFEST_FILE, msgspec.json.format(msgspec.json.encode(manifest)))):
            with open(tmp / name, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_model_dir(path: str | Path) -> tuple[bytes, Manifest]:
    """The model file's bytes (unchecked) and the manifest.

    Raises:
        FileNotFoundError: either file is missing.
        msgspec.ValidationError, msgspec.DecodeError: the manifest is not one.
    """
    path = Path(path)
    for name in (MODEL_FILE, MANIFEST_FILE):
        if not (path / name).is_file():
            raise FileNotFoundError(f"{name} is missing from {path}")
    manifest = msgspec.json.decode((path / MANIFEST_FILE).read_bytes(), type=Manifest)
    return (path / MODEL_FILE).read_bytes(), manifest


def load_model_dir(path: str | Path) -> tuple[str, Manifest]:
    path = Path(path)
    if not (path / MODEL_FILE).is_file() or not (path / MANIFEST_FILE).is_file():
        raise FileNotFoundError(f"{path} is not a model directory ({MODEL_FILE} + {MANIFEST_FILE})")
    manifest = msgspec.json.decode((path / MANIFEST_FILE).read_bytes(), type=Manifest)
    return (path / MODEL_FILE).read_text(), manifest
