"""The result store: one folder per run, written chunk by chunk, atomically, resumable.

Layout of ``OUT/``::

    manifest.json              scenario hash, seed, replications, engine, backend, versions,
                               times, status, chunk size, finished chunks
    scenario.json              the validated scenario the run used
    trajectories/part-K.parquet   replication x month rows, one float32 column per stored
                                  metric-and-filter (compact layout)
    outcomes/part-K.parquet    replication x target: value at date, threshold, met, first reached
    params/part-K.parquet      sampled uncertainties and lever values per replication
    checksums/part-K.json      SHA-256 of the chunk's three parts and the run's identity
                               (written last: a part of another run is never read as ours)
    outcomes.parquet, params.parquet   all parts concatenated when the run completes

Every file is written to a temporary name and renamed, so a killed run leaves either a whole
part or none; ``--resume`` keeps finished parts and runs the rest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import platform
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim import atomic

MANIFEST = "manifest.json"
PARTS = ("trajectories", "outcomes", "params")


class StoreError(Exception):
    """A run folder that cannot be used as asked (e.g. resuming a different scenario)."""


CSV_ENCODING = "utf-8-sig"
"""Every CSV we write: UTF-8 with a byte-order mark, so that Excel on Chinese Windows reads the
Chinese labels instead of guessing GBK (readers: open with the same encoding; it accepts files
without the mark too)."""


def csv_encode(text: str) -> bytes:
    """CSV text as the bytes of a file (see CSV_ENCODING)."""
    return text.encode(CSV_ENCODING)


def csv_bytes(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    """A table as CSV, UTF-8 with a BOM so that Excel reads the Chinese labels."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return csv_encode(buf.getvalue())


def png_bytes(ax: Any) -> bytes:
    """The figure of matplotlib axes ``ax`` as PNG bytes; closes every figure."""
    import matplotlib.pyplot as plt

    from sim.plot_jobs import DPI

    buf = io.BytesIO()
    ax.get_figure().savefig(buf, format="png", dpi=DPI)
    plt.close("all")
    return buf.getvalue()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (``sim.atomic``)."""
    atomic.write_bytes(path, data)


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write JSON atomically (UTF-8, Chinese kept readable)."""
    atomic_write_bytes(path, json.dumps(obj, ensure_ascii=False, indent=2,
                                        default=str).encode("utf-8"))


def atomic_write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet table whole or not at all (``sim.atomic``)."""
    with atomic.replacing(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("incubation-sim", "numpy", "scipy", "simpy", "pydantic", "pyarrow"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


@dataclass
class ChunkData:
    """What one chunk of replications produced, as Arrow tables."""

    index: int
    trajectories: pa.Table
    outcomes: pa.Table
    params: pa.Table
    seconds: float


class RunStore:
    """A run folder: manifest, parts, and the consolidated tables."""

    def __init__(self, root: Path, identity: str | None = None):
        self.root = root
        self.identity = identity
        """The run's identity (``run_identity``): a part recorded under another is foreign."""
        self._verified: set[int] = set()

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.root / MANIFEST

    def exists(self) -> bool:
        """Whether the folder holds a run."""
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dict."""
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.manifest_path}: cannot read the manifest: {exc}") from None
        return data

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        manifest["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        atomic_write_json(self.manifest_path, manifest)

    def part_path(self, kind: str, index: int) -> Path:
        """Path of one chunk's part of a table."""
        return self.root / kind / f"part-{index:05d}.parquet"

    def checksum_path(self, index: int) -> Path:
        """Where a chunk's part checksums are kept (written after its parts)."""
        return self.root / "checksums" / f"part-{index:05d}.json"

    def chunk_done(self, index: int) -> bool:
        """Whether every part of a chunk was written whole and is unchanged since.

        Each part's SHA-256 is recorded after the parts are written; a part that is missing,
        truncated, emptied or altered (even one bit that still parses) fails the check, and
        ``--resume`` computes the chunk again. Verified chunks are remembered per store.
        """
        if index in self._verified:
            return True
        try:
            if self.checksum_path(index).is_file():
                recorded = json.loads(self.checksum_path(index).read_text(encoding="utf-8"))
                ok = all(_sha256(self.part_path(k, index)) == recorded.get(k) for k in PARTS)
                if self.identity is not None and recorded.get("identity") != self.identity:
                    ok = False  # a part of another run (copied in, or left by one)
            else:  # a run written before checksums, or killed between parts and checksums
                ok = all(pq.read_metadata(self.part_path(k, index)).num_rows > 0 for k in PARTS)
        except (OSError, ValueError, pa.ArrowException):
            ok = False
        if ok:
            self._verified.add(index)
        return ok

    def chunk_reps(self, index: int) -> int:
        """Replications a finished chunk holds (its params part has one row per replication)."""
        return int(pq.read_metadata(self.part_path("params", index)).num_rows)

    def write_chunk(self, chunk: ChunkData) -> None:
        """Write a chunk's parts, then their checksums (each file atomic)."""
        atomic_write_table(self.part_path("trajectories", chunk.index), chunk.trajectories)
        atomic_write_table(self.part_path("params", chunk.index), chunk.params)
        atomic_write_table(self.part_path("outcomes", chunk.index), chunk.outcomes)
        atomic_write_json(self.checksum_path(chunk.index),
                          {**{k: _sha256(self.part_path(k, chunk.index)) for k in PARTS},
                           "identity": self.identity})
        self._verified.add(chunk.index)

    def symlinks(self) -> list[Path]:
        """Links inside the run folder (a run folder never holds one).

        A report would embed files, and plots be written, through them.
        """
        found = [p for p in self.root.iterdir() if p.is_symlink()] if self.root.is_dir() else []
        for sub in ("plots", *PARTS, "checksums"):
            folder = self.root / sub
            if folder.is_dir() and not folder.is_symlink():
                found += [p for p in folder.iterdir() if p.is_symlink()]
        return found

    def has_parts(self) -> bool:
        """Whether the folder holds any part files (of this run or of an unknown one)."""
        return any(next((self.root / k).glob("part-*.parquet"), None) is not None
                   for k in PARTS)

    def done_chunks(self) -> list[int]:
        """Indices of chunks whose parts are all present."""
        parts = sorted((self.root / "outcomes").glob("part-*.parquet"))
        idx = [int(p.stem.split("-")[1]) for p in parts]
        return [i for i in idx if self.chunk_done(i)]

    def read_parts(self, kind: str, columns: list[str] | None = None) -> pa.Table:
        """All finished parts of a table, in replication order."""
        files = [self.part_path(kind, i) for i in sorted(self.done_chunks())]
        if not files:
            raise StoreError(f"{self.root}: no finished replications to read")
        return pa.concat_tables([pq.read_table(f, columns=columns) for f in files])

    def iter_parts(self, kind: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """Finished parts one at a time (memory stays flat)."""
        for i in sorted(self.done_chunks()):
            yield pq.read_table(self.part_path(kind, i), columns=columns)

    def consolidate(self) -> None:
        """Write outcomes.parquet and params.parquet from the parts."""
        for kind in ("outcomes", "params"):
            atomic_write_table(self.root / f"{kind}.parquet", self.read_parts(kind))


def run_identity(fields: dict[str, Any]) -> str:
    """A short hash of what makes parts of two runs interchangeable.

    The scenario, seed, engine, sampling, stored columns, levers and chunk layout.
    """
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _sha256(path: Path) -> str:
    """A file's SHA-256 (parts are a few MB at most)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def float32_columns(values: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    """Arrow float32 columns from numpy arrays (the compact trajectory layout)."""
    return {k: pa.array(np.asarray(v, dtype=np.float32)) for k, v in values.items()}
