"""The report's decision brief: what a planner may quote, what needs action, what to check.

A run's numbers become a few sentences at the top of the report, in the plan's language:
targets likely met (P >= 80%, the threshold docs/design.md uses for "likely"), those that need
more investment or another target value, the command that finds the least investment reaching
80%, and the verdicts that rest mainly on assumptions. Only one reading of each plan sentence
counts (alternative readings, ``reading_of``, are left out as in the joint probability).
"""

from __future__ import annotations

from sim.messages import BRIEF_TEXT, label
from sim.summary import RunSummary

TEXT = BRIEF_TEXT
"""This module's sentences (the catalogue, sim/messages.py)."""

LIKELY = 0.8
"""P(met) from which a target is called likely (docs/design.md, probability bands)."""
UNLIKELY = 0.5
"""P(met) below which a target is called unlikely at the current investment."""


def _named(items: list[tuple[str, float]], lang: str) -> str:
    return label(TEXT, "separator", lang).join(label(TEXT, "named", lang, target=name, p=p)
                                               for name, p in items)


def brief(s: RunSummary, lang: str, scenario_file: str | None = None) -> list[str]:
    """Sentences of the brief, most decisive first (an empty run gives none)."""
    zh = lang == "zh"
    sc = s.scenario
    primary = [t for t in sc.targets if t.reading_of is None and t.id in s.targets]
    rows = [(t, t.label.zh if zh else t.label.en, s.targets[t.id].p) for t in primary]
    bands = {"likely": [(lab, p) for _, lab, p in rows if p >= LIKELY],
             "uncertain": [(lab, p) for _, lab, p in rows if UNLIKELY <= p < LIKELY],
             "unlikely": [(lab, p) for _, lab, p in rows if p < UNLIKELY]}
    out = [label(TEXT, band, lang, names=_named(named, lang))
           for band, named in bands.items() if named]
    short = [(t, p) for t, _, p in rows if p < LIKELY]
    if short:
        worst = min(short, key=lambda x: x[1])[0]
        file = scenario_file or f"scenarios/{sc.meta.id}.yaml"
        if sc.levers:
            out.append(label(TEXT, "seek", lang, levers=", ".join(sc.levers), file=file,
                             target=worst.id))
        else:
            out.append(label(TEXT, "no_lever", lang, file=file, target=worst.id))
    assumed = [(t.label.zh if zh else t.label.en, s.targets[t.id].p) for t in primary
               if t.id in s.evidence and s.evidence[t.id].grade == "assumption"]
    if assumed:
        out.append(label(TEXT, "assumed", lang, names=_named(assumed, lang)))
    return out
