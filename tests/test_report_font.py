"""The report embeds the CJK glyphs it uses (#25 item 5: no boxes on a machine without a
Chinese font)."""

from __future__ import annotations

import base64
import io
import re

from fontTools.ttLib import TTFont

from sim.report_font import EMBEDDED_FAMILY, MARKER, embed_font, font_face


def _glyph_font(css: str) -> TTFont:
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", css)
    assert data is not None
    return TTFont(io.BytesIO(base64.b64decode(data.group(1))))


def test_the_subset_holds_every_character_of_the_page_and_little_else() -> None:
    text = "孵化载体面积达到1.5万平方米 — 高新技术企业翻番 ² “双倍增”"
    css = font_face(text)
    assert f'font-family: "{EMBEDDED_FAMILY}"' in css and "data:font/woff" in css
    font = _glyph_font(css)
    cmap = font.getBestCmap()
    wanted = {ord(c) for c in text if ord(c) > 127 and not c.isspace()}
    assert wanted <= set(cmap)
    assert len(cmap) < len(wanted) + 20  # a subset, not the 16 MB font
    assert len(css) < 60_000


def test_a_page_without_non_ascii_text_embeds_nothing() -> None:
    assert font_face("HNTE doubled by 2027") == ""
    page = f"<style>{MARKER}</style><p>plain</p>"
    assert embed_font(page) == "<style></style><p>plain</p>"


def test_a_chinese_page_gets_its_font_in_the_style_sheet() -> None:
    page = f"<style>{MARKER}\\nbody {{}}</style><h1>北碚区科技型企业</h1>"
    out = embed_font(page)
    assert MARKER not in out and "@font-face" in out
    assert set("北碚区科技型企业") <= {chr(c) for c in _glyph_font(out).getBestCmap()}
