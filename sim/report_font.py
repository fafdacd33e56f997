"""The report carries the CJK glyphs it uses, so Chinese never shows as boxes.

A report is opened on machines we do not know; one without a Chinese font (a fresh Linux, some
office PCs with only Latin fonts) would show every Chinese character as a box. The report
therefore embeds a subset of Noto Sans CJK SC (from the ``mplfonts`` wheel the plots already
use; SIL Open Font License) holding exactly the characters it contains, as a WOFF font of
tens of kilobytes. The browser still prefers a Chinese system font when there is one: the
embedded family comes last in the font list.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
from pathlib import Path

from sim import atomic
from sim.plots import CJK_FONT_FILE

EMBEDDED_FAMILY = "Report CJK"
"""The embedded font's family name in the report's CSS."""
MARKER = "/* embedded-cjk-font */"
"""Where the rendered report's style sheet takes the @font-face rule."""


def _font_path() -> Path | None:
    try:
        import mplfonts
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / CJK_FONT_FILE
    return path if path.is_file() else None


def font_face(text: str) -> str:
    """An @font-face rule with the glyphs of every non-ASCII character of ``text`` (or "")."""
    chars = sorted({ord(c) for c in text if ord(c) > 127 and not c.isspace()})
    path = _font_path()
    if not chars or path is None:
        return ""
    data = base64.b64encode(_subset(path, chars)).decode("ascii")
    return (f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


def cache_dir() -> Path:
    """Where made subsets are kept (``$XDG_CACHE_HOME`` or ~/.cache, incubation-sim/fonts)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "incubation-sim" / "fonts"


def _subset(path: Path, chars: list[int]) -> bytes:
    """The WOFF subset of the font at ``path`` holding ``chars``, made once per character set.

    Why kept on disk: making it takes about a second (CFF outlines), and the reports of one
    plan show the same characters run after run. The key covers the font file and the
    subsetter's version, so a changed font or fontTools makes a new subset.
    """
    import fontTools

    stat = path.stat()
    key = hashlib.sha256(
        f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}|{fontTools.version}|{SUBSET_FORM}|"
        f"{','.join(map(str, chars))}".encode()).hexdigest()[:32]
    kept = cache_dir() / f"{key}.woff"
    with contextlib.suppress(OSError):
        return kept.read_bytes()
    made = _make_subset(path, chars)
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        atomic.write_bytes(kept, made)
    return made


SUBSET_FORM = "woff notdef-outline"
"""How subsets are made (part of the cache key: change it when ``_make_subset`` changes)."""


def _make_subset(path: Path, chars: list[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed: no extra package needed
    options.notdef_outline = True
    font = TTFont(str(path), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return buf.getvalue()


def embed_font(html: str) -> str:
    """The rendered report with its CJK subset in place of the style sheet's marker."""
    return html.replace(MARKER, font_face(html), 1)
