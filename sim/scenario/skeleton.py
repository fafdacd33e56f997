"""``python run_sim.py new``: a commented scenario skeleton a planner fills in.

Every figure the planner must supply is a placeholder ``FILL(example; what to fill)``;
``validate`` lists each unfilled one on its own line (file, line, field, what to fill) before
anything else is checked (``placeholders``). Replacing every placeholder by its example gives a
scenario that validates and runs (tested), so the skeleton is known to be complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from string import Template
from typing import Any

from sim.scenario.yamlio import PathKey

PLACEHOLDER = re.compile(r"^FILL\((?P<example>[^;]*);\s*(?P<what>.*)\)$", re.S)
"""``FILL(example; what to fill)``: an unfilled figure of a skeleton."""

CITIES: dict[str, list[str]] = {
    "chongqing": ["common/priors.yaml", "common/chongqing_rules.yaml",
                  "common/chongqing_hnte_direct.yaml",
                  "../calibration/params/chongqing-districts.yaml"],
    "beijing": ["common/priors.yaml"],
    "hubei": ["common/priors.yaml"],
    "none": ["common/priors.yaml"],
}
"""What a new scenario of each city includes (paths relative to scenarios/)."""

RECORD = {"chongqing": "calibration/data/chongqing.csv", "beijing": "calibration/data/beijing.csv",
          "hubei": "calibration/data/hubei.csv", "none": "calibration/data/<region>.csv"}

COMMENTS: dict[str, tuple[str, str]] = {
    "head": ("新规划情景骨架(python run_sim.py new 生成)。把每个 FILL(示例; 说明) "
             "换成规划或数据中的数字,并写明来源(doc:<编号> 段落、"
             "calibration/data/<文件>.csv <行编号>、derived: 推算方法、assumption: 理由)。"
             "python run_sim.py validate 会逐行列出尚未填写的位置。步骤见 docs/new-plan.md。",
             "Skeleton of a new plan's scenario (written by python run_sim.py new). Replace every "
             "FILL(example; what) by the plan's or the record's figure, with its source "
             "(doc:<id> passage, calibration/data/<file>.csv <row id>, derived: how, assumption: "
             "why). python run_sim.py validate lists every one still unfilled, one per line. "
             "Steps: docs/new-plan.md."),
    "include": ("共享先验与本市规则(路径相对本文件)。", "Shared priors and the city's rules (paths "
                "relative to this file)."),
    "documents": ("规划文件本身:标题、发文机关、文号、日期、公开地址;来源写作 doc:${doc} 段落。",
                  "The plan itself: title, issuer, number, date, public address; cite it as "
                  "doc:${doc} <passage>."),
    "meta": ("规划期与基期:start 为基期次日(如基期2025年底则 2026-01-01)。",
             "Plan period and base: start is the day after the base date (base end-2025 -> "
             "2026-01-01)."),
    "unmodelled": ("模型不模拟的目标(研发投入强度、专利等)列在此处并说明原因。",
                   "Targets the model does not simulate (R&D intensity, patents, ...) go here "
                   "with the reason."),
    "carriers": ("基期载体:按类型和级别分组;不知道的数可写成分布(不确定基期值)。",
                 "Carriers at the start, grouped by kind and level; a figure not known exactly "
                 "may be a distribution (an uncertain baseline)."),
    "pipeline": ("规划中的新建载体:计划日期、面积、交付概率。", "Carriers the plan builds: date, "
                 "area, chance of delivery."),
    "sources": ("企业来源:每年进入载体的团队与初创企业、新入库科技型企业。",
                "Where firms come from: teams and start-ups seeking places, new registrations."),
    "stock": ("基期载体外企业存量:高企、科技型企业(最需要区里自己提供的数字)。",
              "Firms outside carriers at the start: HNTE and registered tech firms (the figures "
              "the bureau must supply itself)."),
    "targets": ("目标:每种写法各一例(数值、区间、倍增、净增、自某日起累计),保留用得到的。",
                "Targets: one of each kind (value, range, doubling, increase, counted since a "
                "date); keep the ones the plan has."),
    "rules": ("载体认定规则:国家级按国科发区〔2018〕300号;市级或省级规则请换成本地文件并引用。",
              "Carrier rules: national ones per 国科发区〔2018〕300号; replace the municipal or "
              "provincial rule by the local one and cite it."),
    "record": ("公开数据(用于校准与检验)写入 $record,格式见 calibration/README.md。",
               "Public figures (for calibration and the backtest) go in $record; format in "
               "calibration/README.md."),
}




TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
"""The skeleton's text (``new_scenario.yaml.tmpl``) and the carrier rules of a city without
shared rules (``new_rules.yaml.tmpl``), with ``$name`` fields (string.Template)."""


def skeleton(scenario_id: str, city: str, lang: str) -> str:
    """The skeleton's text for ``scenario_id`` in ``city`` (comments in ``lang``)."""
    values: dict[str, Any] = {
        "id": scenario_id, "doc": scenario_id.replace("_", "-") + "-plan",
        "include": ", ".join(CITIES[city]),
        "record": RECORD[city],
    }
    for key, (zh, en) in COMMENTS.items():
        values[f"c_{key}"] = Template(zh if lang == "zh" else en).safe_substitute(values)
    rules = Template((TEMPLATES / "new_rules.yaml.tmpl").read_text(encoding="utf-8"))
    values["rules"] = "" if city == "chongqing" else rules.substitute(values)
    values["direct_hnte"] = (Template((TEMPLATES / "new_direct_hnte.yaml.tmpl").read_text(
        encoding="utf-8")).substitute(values) if city == "chongqing" else "")
    template = Template((TEMPLATES / "new_scenario.yaml.tmpl").read_text(encoding="utf-8"))
    return template.substitute(values)


def placeholders(node: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str, str, str]]:
    """Every unfilled ``FILL(example; what)``: (key path, text, what, example)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from placeholders(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from placeholders(v, (*path, i))
    elif isinstance(node, str):
        m = PLACEHOLDER.match(node.strip())
        if m:
            yield path, node, m.group("what").strip(), m.group("example").strip()


def fill_with_examples(text: str) -> str:
    """The skeleton with every placeholder replaced by its example (for tests and demos)."""
    out, i = [], 0
    while (j := text.find("FILL(", i)) >= 0:
        depth, k = 0, j + 4
        while k < len(text):  # the matching parenthesis (examples may hold their own)
            depth += {"(": 1, ")": -1}.get(text[k], 0)
            if depth == 0:
                break
            k += 1
        example = text[j + 5:k].split(";", 1)[0].strip()
        out += [text[i:j], example]
        i = k + 1
    return "".join(out) + text[i:]


__all__ = ["CITIES", "fill_with_examples", "placeholders", "skeleton"]
