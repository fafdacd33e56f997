"""The report's decision brief: what a planner may quote, what needs action, what to check.

A run's numbers become a few sentences at the top of the report, in the plan's language:
targets likely met (P >= 80%, the threshold docs/design.md uses for "likely"), those that need
more investment or another target value, the command that finds the least investment reaching
80%, and the verdicts that rest mainly on assumptions. Only one reading of each plan sentence
counts (alternative readings, ``reading_of``, are left out as in the joint probability).
"""

from __future__ import annotations

from sim.summary import RunSummary

LIKELY = 0.8
"""P(met) from which a target is called likely (docs/design.md, probability bands)."""
UNLIKELY = 0.5
"""P(met) below which a target is called unlikely at the current investment."""


def _named(items: list[tuple[str, float]], lang: str) -> str:
    sep = "、" if lang == "zh" else "; "
    return sep.join(f"{label}({p:.0%})" if lang == "zh" else f"{label} ({p:.0%})"
                    for label, p in items)


def brief(s: RunSummary, lang: str, scenario_file: str | None = None) -> list[str]:
    """Sentences of the brief, most decisive first (an empty run gives none)."""
    zh = lang == "zh"
    sc = s.scenario
    primary = [t for t in sc.targets if t.reading_of is None and t.id in s.targets]
    rows = [(t, t.label.zh if zh else t.label.en, s.targets[t.id].p) for t in primary]
    likely = [(lab, p) for _, lab, p in rows if p >= LIKELY]
    middle = [(lab, p) for _, lab, p in rows if UNLIKELY <= p < LIKELY]
    low = [(lab, p) for _, lab, p in rows if p < UNLIKELY]
    out: list[str] = []
    if likely:
        out.append(("可作为较有把握的目标引用(达成概率不低于80%):" if zh else
                    "Likely at the current investment (P >= 80%), safe to quote as such: ")
                   + _named(likely, lang) + ("。" if zh else "."))
    if middle:
        out.append(("达成与否不确定,需增加投入或调整目标值:" if zh else
                    "Uncertain: more investment or another target value is needed for ")
                   + _named(middle, lang) + ("。" if zh else "."))
    if low:
        out.append(("按当前投入难以达成:" if zh else "Unlikely at the current investment: ")
                   + _named(low, lang) + ("。" if zh else "."))
    short = [(t, p) for t, _, p in rows if p < LIKELY]
    if short:
        worst = min(short, key=lambda x: x[1])[0]
        file = scenario_file or f"scenarios/{sc.meta.id}.yaml"
        if sc.levers:
            names = ", ".join(sc.levers)
            out.append((f"求达到80%所需的最少投入,对每个相关杠杆(本情景的杠杆:{names})运行:"
                        if zh else "To find the least investment that reaches 80%, run for each "
                        f"lever that bears on the target (this scenario's levers: {names}): ")
                       + f"python run_sim.py goal-seek {file} --target {worst.id} --p 0.8 "
                         f"--lever {'杠杆名' if zh else 'LEVER'}")
        else:
            out.append("本情景没有政策杠杆:未达标的目标取决于需求与假设,而非投入;可用 "
                       f"python run_sim.py attribution {file} --target {worst.id} 查看原因。"
                       if zh else
                       "This scenario has no investment lever: the targets below 80% depend on "
                       "demand and assumptions, not on spending; see why with python run_sim.py "
                       f"attribution {file} --target {worst.id}")
    assumed = [(t.label.zh if zh else t.label.en, s.targets[t.id].p) for t in primary
               if t.id in s.evidence and s.evidence[t.id].grade == "assumption"]
    if assumed:
        out.append(("以下结论主要依据假设而非公开数据,引用时请注明:" if zh else
                    "These verdicts rest mainly on assumptions, not public data; say so when "
                    "quoting them: ") + _named(assumed, lang) + ("。" if zh else "."))
    return out
