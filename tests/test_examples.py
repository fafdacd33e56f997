"""Every example scenario validates and shows (Chinese and English) with its documents.

Each is also run by the hard-rule tests (fast engine) and the engine-equality tests (both
engines); docs/new-plan.md walks through scenarios/examples/banan.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from run_sim import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "scenarios" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_example_validates_and_shows(path: Path, lang: str) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0 and ": ok (" in res.output, res.output
    res = runner.invoke(app, ["show", str(path), "--lang", lang])
    assert res.exit_code == 0, res.output
    if path.stem != "minimal":
        assert ("引用的文件" if lang == "zh" else "Documents cited") in res.output


def test_the_new_plan_guide_names_the_example() -> None:
    guide = (ROOT / "docs" / "new-plan.md").read_text(encoding="utf-8")
    assert "scenarios/examples/banan.yaml" in guide
