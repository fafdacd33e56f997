"""Files written whole or not at all: a temporary name beside the file, then one rename.

Why: a run, an analysis or a cache can be stopped at any instant (Ctrl-C, a killed worker, a
full disk); whoever reads the folder afterwards (a resumed run, Excel, the report) must find
each file either complete or absent. One rule for every writer, in a module that imports
nothing heavy, so that plot helper processes and the font cache use it as well as the stores.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write.

    Renamed onto ``path`` if the block ends normally, removed if it raises. Its name is hidden
    and does not end like the file's (``.plot.png.tmp123``), so a temporary file a killed
    process leaves behind is never taken for a plot or a table by whoever lists the folder;
    a writer that infers a format from the name must be told it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: Path, text: str, encoding: str = "utf-8", newline: str | None = None) -> None:
    """Write ``text`` to ``path`` whole or not at all."""
    with replacing(path) as tmp, tmp.open("w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
