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
import io
from pathlib import Path

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
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


def embed_font(html: str) -> str:
    """The rendered report with its CJK subset in place of the style sheet's marker."""
    return html.replace(MARKER, font_face(html), 1)
