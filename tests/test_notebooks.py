"""The planner notebooks: committed without outputs, and each executes with small settings.

Each notebook has one cell tagged ``parameters``; the test inserts a cell right after it that
overrides those values with tiny ones (as papermill does), then runs every cell with nbclient
on an ipykernel (working directory: notebooks/).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = ("01_quickstart.ipynb", "02_sensitivity.ipynb", "03_levers_goal_seek.ipynb",
             "04_scenario_discovery.ipynb", "05_planning_2026.ipynb")


def _small(name: str, tmp: Path) -> str:
    """Override cell: tiny settings so the notebooks run in a few minutes."""
    return {
        "01_quickstart.ipynb": f'REPS = 3\nBACKEND = "serial"\nOUT_DIR = r"{tmp / "run01"}"',
        "02_sensitivity.ipynb": 'MORRIS_N = 2\nSOBOL_N = 2\nREPS = 1\nBACKEND = "serial"\n'
                                f'SAVE_DIR = r"{tmp / "sens02"}"',
        "03_levers_goal_seek.ipynb": 'REPS = 4\nGRID = 3\nTOL = 25000\nBACKEND = "serial"\n'
                                     f'SAVE_DIR = r"{tmp / "levers03"}"',
        "04_scenario_discovery.ipynb": 'REPS = 16\nMIN_CASES = 2\nBACKEND = "processes"\n'
                                       f'OUT_DIR = r"{tmp / "run04"}"',
        "05_planning_2026.ipynb": f'REPS = 2\nBACKEND = "serial"\nOUT_DIR = r"{tmp / "plan05"}"'
                                  '\nENDED = ["../scenarios/jiangbei.yaml"]',  # not Chongqing
    }[name]


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NB_DIR / name, as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: a code cell has outputs (strip them)"
            assert cell.execution_count is None, f"{name}: a code cell has an execution count"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: needs exactly one cell tagged 'parameters'"
    assert "REPS" in tagged[0].source
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{name}: no Chinese text"
    assert any(w in text for w in ("the", "The")), f"{name}: no English text"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name: str, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    nb = _read(name)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    override = nbformat.v4.new_code_cell(_small(name, tmp_path))
    override.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, override)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NB_DIR)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "display_data" and "image/png" in o.get("data", {})]
    assert images, f"{name}: no plot was drawn"
