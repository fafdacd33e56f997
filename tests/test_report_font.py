"""The report embeds the CJK glyphs it uses (#25 item 5: no boxes on a machine without a
Chinese font)."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from sim import report_font
from sim.report_font import EMBEDDED_FAMILY, MARKER, cache_dir, embed_font, font_face


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


def test_a_subset_is_made_once_per_character_set_and_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = font_face("科技企业孵化器")
    assert len(list(cache_dir().glob("*.woff"))) == 1 and cache_dir().is_relative_to(tmp_path)

    def made_again(*args: object) -> bytes:
        raise AssertionError("the kept subset was not used")

    monkeypatch.setattr(report_font, "_make_subset", made_again)
    assert font_face("孵化器科技企业") == first  # the same characters in another order
    with pytest.raises(AssertionError):
        font_face("众创空间")  # other characters: a new subset


def test_a_cache_that_cannot_be_written_only_costs_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert "data:font/woff" in font_face("科技企业孵化器")
