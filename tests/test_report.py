"""The self-contained HTML report: content, escaping, languages, atomic writing, and a real
headless Chromium (selenium + Debian's chromium and chromium-driver) rendering it."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from sim.cli import commands
from sim.experiment import RunConfig, run_experiment
from sim.scenario import load_scenario, validate_data
from sim.scenario.variants import to_data

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"
XSS = "<script>alert(1)</script>"
XSS_EN = '<script>alert(1)</script><img src=x onerror="window.__xss=1">'
XSS_SOURCE = "assumption: <script>window.__xss=2</script> & <b>bold</b>"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _hostile_scenario():
    """The minimal example with markup in a target label, a source and an unmodelled reason."""
    data = to_data(load_scenario(MINIMAL))
    data["targets"][0]["label"] = {"zh": XSS, "en": XSS_EN}
    data["targets"][0]["source"] = XSS_SOURCE
    data["meta"]["unmodelled"][0]["reason"] = "<i>not</i> a firm flow"
    return validate_data(data, default_file="<test>")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    run_experiment(_hostile_scenario(), out, RunConfig(reps=3, backend="serial", workers=1))
    assert commands.summarize_run(out, "zh") == 0  # tables, plots and report.html
    return out


def _pvals(html: str) -> list[str]:
    return re.findall(r'<span class="pval">([^<]*)</span>', html)


def _num_cells(html: str) -> list[str]:
    return re.findall(r'<td class="num">(.*?)</td>', html, flags=re.S)


# ------------------------------------------------------------------------- without browser
def test_run_writes_a_self_contained_report(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    # Nothing fetched from anywhere: every src and href is inline or an in-page anchor.
    for attr in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert attr.startswith(("data:", "#")), attr
    # addresses appear only as text (the documents a figure cites), never as a resource
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?https?://|url\(\s*[\"']?https?://", html)
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert len(images) >= 3  # attainment bars, a fan chart per target, first-reach histograms
    for b64 in images:
        assert base64.b64decode(b64).startswith(b"\x89PNG\r\n\x1a\n")
    sc = load_scenario(MINIMAL)
    for text in (sc.meta.name.zh, sc.meta.region.zh, "2024-01-01", "2026-12-31",
                 "主要结论", "全部目标同时达成的概率", "首次达成日期分位数", "不模拟",
                 "假设及其来源", "运行信息", "doc:national-incubator-rules-2018",
                 "科技企业孵化器管理办法"):
        assert text in html, text
    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["scenario_hash"] in html
    assert "<th>随机种子</th><td class=\"mono\">0</td>" in html
    assert "<script" not in html.lower().replace("&lt;script", "")


def test_scenario_strings_are_escaped(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert XSS not in html and "<b>bold</b>" not in html and "<i>not</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&amp;" in html
    assert "&lt;i&gt;not&lt;/i&gt; a firm flow" in html


def test_render_escapes_every_context_string(run_dir: Path) -> None:
    from sim.report import TEMPLATE, TEMPLATE_DIR, build_context, render

    evil = '<img src=x onerror="alert(1)">'
    ctx = build_context(run_dir, "en", redraw=False)
    ctx["name"] = ctx["region"] = evil
    ctx["targets"][1]["label"] = ctx["targets"][1]["note"] = evil
    ctx["assumptions"]["figures"][0]["source"] = evil
    ctx["unmodelled"][0]["value"] = evil
    html = render(ctx)
    assert evil not in html
    assert html.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") >= 6
    source = (TEMPLATE_DIR / TEMPLATE).read_text(encoding="utf-8").replace(" ", "")
    assert "|safe" not in source and "autoescapefalse" not in source
    with pytest.raises(Exception, match="undefined"):
        render({"name": "x"})  # StrictUndefined: a missing value is an error, never blank


def test_both_languages_show_the_same_numbers(run_dir: Path, tmp_path: Path) -> None:
    from sim.report import write_report

    zh = write_report(run_dir, "zh", tmp_path / "zh.html").read_text(encoding="utf-8")
    en = write_report(run_dir, "en", tmp_path / "en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en
    assert "Key findings" in en and "主要结论" not in en
    p_zh, p_en = _pvals(zh), _pvals(en)
    assert p_zh and p_zh == p_en
    assert all(re.fullmatch(r"\d{1,3}\.\d%", p) for p in p_zh)
    cells_zh, cells_en = _num_cells(zh), _num_cells(en)
    assert len(cells_zh) > 20 and cells_zh == cells_en
    # The plots are redrawn in the report's language.
    assert zh.count("data:image/png") == en.count("data:image/png")


def test_report_output_is_atomic(run_dir: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.atomic
    import sim.report

    out = tmp_path / "r.html"
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        replaced.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(sim.atomic.os, "replace", spy)
    sim.report.write_report(run_dir, "en", out, redraw=False)
    replaced = [(s, d) for s, d in replaced if Path(d).parent == out.parent]  # not font cache
    assert [d for _, d in replaced] == [str(out)]
    src = Path(replaced[0][0])
    assert src != out and src.parent == out.parent and not src.exists()
    before = out.read_bytes()

    def broken(_context: object) -> str:
        raise RuntimeError("template failed")

    monkeypatch.setattr(sim.report, "render", broken)
    with pytest.raises(RuntimeError):
        sim.report.write_report(run_dir, "en", out, redraw=False)
    assert out.read_bytes() == before  # a failed render leaves the old report whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_analysis_subfolders_become_sections(run_dir: Path, tmp_path: Path) -> None:
    from sim.report import write_report

    work = tmp_path / "run"
    shutil.copytree(run_dir, work, symlinks=True)
    png = (work / "plots" / "attainment.png").read_bytes()
    cmp_dir = work / "compare-lever"
    cmp_dir.mkdir()
    (cmp_dir / "diff.csv").write_text("target_id,delta_p,ci_low\narea_2026,0.125,"
                                      "0.09999999999999998\n", encoding="utf-8")
    (cmp_dir / "README.md").write_text("# compare\n\n```\npython run_sim.py compare x\n```\n\n"
                                       "Paired comparison <script>x()</script>\n\n- one\n- two\n",
                                       encoding="utf-8")
    (cmp_dir / "delta.png").write_bytes(png)
    sweep = work / "sweep-attraction"
    (sweep / "plots").mkdir(parents=True)
    (sweep / "plots" / "frontier.png").write_bytes(png)
    (sweep / "summary.json").write_text('{"lever": "attraction", "values": [0, 10]}',
                                        encoding="utf-8")
    (work / "calibration-x").mkdir()
    (work / "calibration-x" / "fit.csv").write_text(
        "param,value\n" + "".join(f"p{i},{i}\n" for i in range(250)), encoding="utf-8")
    base = write_report(work, "en", tmp_path / "base.html", redraw=False)
    html = write_report(work, "en", tmp_path / "x.html", redraw=False).read_text("utf-8")
    for sec, title in (("comparison", "Comparison"), ("sweep", "Sweep"),
                       ("calibration", "Calibration")):
        assert f'id="sec-{sec}"' in html and f">{title}</h2>" in html
    assert 'id="sec-sensitivity"' not in html and 'id="sec-goal_seek"' not in html
    assert "<td>area_2026</td><td class=\"num\">0.125</td><td class=\"num\">0.1</td>" in html
    assert "0.09999999999999998" not in html  # floats read as four significant digits
    assert "<p>Paired comparison &lt;script&gt;x()&lt;/script&gt;</p>" in html
    assert '<pre class="cmd">python run_sim.py compare x</pre>' in html and "```" not in html
    assert "<ul><li>one</li><li>two</li></ul>" in html
    assert "&#34;lever&#34;" not in html  # summary.json is for programs, not pasted
    assert "50 more rows not shown" in html
    assert 'alt="plots/frontier.png"' in html and 'alt="delta.png"' in html
    assert base.read_text("utf-8").count("<img") == html.count("<img")
    zh = write_report(work, "zh", tmp_path / "zh.html", redraw=False).read_text("utf-8")
    assert ">情景比较</h2>" in zh and ">参数扫描</h2>" in zh and ">参数校准</h2>" in zh


def test_report_command(run_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import run_sim

    runner = CliRunner()
    out = tmp_path / "en.html"
    res = runner.invoke(run_sim.app, ["report", str(run_dir), "--lang", "en", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert str(out) in res.output and out.read_text("utf-8").count('<html lang="en">') == 1
    res = runner.invoke(run_sim.app, ["report", str(run_dir), "--lang", "fr",
                                      "--out", str(tmp_path / "fr.html")])
    assert res.exit_code == 2 and not (tmp_path / "fr.html").exists()
    res = runner.invoke(run_sim.app, ["report", str(tmp_path)])
    assert res.exit_code == 2
    res = runner.invoke(run_sim.app, ["report", "--help"])
    assert "Example: python run_sim.py report" in res.output


# ---------------------------------------------------------------------------- in a browser
def _browser_or_skip() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if not missing:
        return
    reason = (f"no headless browser: {', '.join(missing)} missing (install with: apt-get install "
              "chromium chromium-driver fonts-noto-cjk; pip install selenium)")
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def driver():
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="report-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=1280,1000", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.unhandled_prompt_behavior = "ignore"  # an alert stays open, so the test can see it
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _no_alert(drv) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        drv.switch_to.alert  # noqa: B018
    except NoAlertPresentException:
        return True
    return False


CJK_FONT = re.compile(r"CJK|Source Han|Han Sans|WenQuanYi|Droid Sans Fallback|Hei|Song|Ming",
                      re.I)


def _platform_fonts(drv, selector: str) -> list[dict]:
    """The fonts Chromium actually drew a node's text with (DevTools' 'Rendered Fonts')."""
    drv.execute_cdp_cmd("DOM.enable", {})
    drv.execute_cdp_cmd("CSS.enable", {})
    root = drv.execute_cdp_cmd("DOM.getDocument", {})["root"]["nodeId"]
    node = drv.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})
    return drv.execute_cdp_cmd("CSS.getPlatformFontsForNode",
                               {"nodeId": node["nodeId"]})["fonts"]


def test_report_in_headless_chromium(driver, run_dir: Path, tmp_path: Path) -> None:
    from PIL import Image
    from selenium.webdriver.common.by import By

    from sim.report import write_report

    zh = run_dir / "report.html"
    en = write_report(run_dir, "en", tmp_path / "report-en.html")
    driver.get(zh.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"

    # The XSS label is text, and nothing ran.
    assert _no_alert(driver)
    assert driver.execute_script("return window.__xss === undefined")
    assert driver.execute_script("return document.getElementsByTagName('script').length") == 0
    labels = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".target-label")]
    assert XSS in labels
    assert XSS in driver.find_element(By.TAG_NAME, "body").text

    # Every image decoded.
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
    assert len(images) >= 3
    assert all(ok and width > 0 for ok, width, _ in images), images

    # Chinese drawn with a real CJK font. Two independent checks:
    # 1. DevTools' CSS.getPlatformFontsForNode names the fonts Chromium actually used for the
    #    title's glyphs; every one must be a CJK font (a missing font shows as a Latin fallback
    #    font drawing .notdef boxes).
    title = driver.find_element(By.ID, "title").text
    n_cjk = sum(1 for ch in title if "\u4e00" <= ch <= "\u9fff")
    assert n_cjk >= 4
    fonts = _platform_fonts(driver, "#title")
    assert fonts and all(CJK_FONT.search(f["familyName"]) for f in fonts), fonts
    assert sum(f["glyphCount"] for f in fonts) >= n_cjk
    # 2. Ideographs in a CJK font are full-width: the advance of each is exactly 1 em, while
    #    .notdef boxes of a non-CJK fallback are narrower (about 0.5-0.75 em).
    width = driver.execute_script("""
        const s = document.createElement('span');
        s.style.cssText = 'font-size:40px;position:absolute;white-space:nowrap;left:-9999px';
        s.textContent = '孵化载体面积高企翻番';
        document.body.appendChild(s);
        const w = s.getBoundingClientRect().width; s.remove(); return w;""")
    assert abs(width - 400) < 4, width

    # A non-trivial screenshot of the whole page.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(int(height) + 200, 12000))
    shot = tmp_path / "report-zh.png"
    assert driver.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.height >= 2000
    assert len(img.getcolors(maxcolors=1_000_000) or []) > 200

    # No console errors (the log is read after everything above has run).
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors

    # The English report, with an <img onerror> in the label, also loads clean.
    driver.get(en.as_uri())
    assert _no_alert(driver)
    assert driver.execute_script("return window.__xss === undefined")
    assert XSS_EN in driver.find_element(By.TAG_NAME, "body").text
    assert driver.execute_script(
        "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]

    # On a machine without any Chinese font the report's own subset draws the Chinese: the
    # same report with every system family taken out of its style sheet.
    html = zh.read_text(encoding="utf-8")
    bare = re.sub(r'font-family: "Noto Sans CJK SC"[^;]*;', 'font-family: "Report CJK", serif;',
                  html, count=1)
    assert bare != html
    alone = tmp_path / "report-no-system-font.html"
    alone.write_text(bare, encoding="utf-8")
    driver.get(alone.as_uri())
    fonts = _platform_fonts(driver, "#title")
    assert any(f.get("isCustomFont") for f in fonts), fonts
    assert sum(f["glyphCount"] for f in fonts if f.get("isCustomFont")) >= n_cjk


def test_counts_show_whole_numbers() -> None:
    from sim.report import fmt_count, fmt_num

    assert fmt_count(521.5) == "522" and fmt_count(12345.5) == "12,346"
    assert fmt_num(521.5) == "521.5"  # areas and ratios keep their digits


def test_the_brief_sorts_targets_and_says_what_to_run(run_dir: Path) -> None:
    from sim.brief import LIKELY, brief
    from sim.summary import summarize

    s = summarize(run_dir)
    for lang in ("zh", "en"):
        lines = brief(s, lang, "scenarios/x.yaml")
        assert lines
        text = "\n".join(lines)
        for t in s.scenario.targets:
            label = t.label.zh if lang == "zh" else t.label.en
            if t.reading_of is None:
                assert label in text, label  # every target is placed in one sentence
        if any(ts.p < LIKELY for ts in s.targets.values()):
            assert "goal-seek scenarios/x.yaml" in text or "attribution scenarios/x.yaml" in text
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'class="brief"' in html and "决策要点" in html
