"""The registry of metric names (docs/design.md section 3, "Metrics") and the filters each accepts.

Targets, calibration figures and plots name metrics from here; the engines fill them in. A
target on a name or filter that is not registered is a scenario error, caught at load time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CARRIER_FILTERS = frozenset({"kind", "level", "level_at_least", "tag", "zone", "sector"})
"""Filters that select carriers (by their attributes at the date)."""

FIRM_FILTERS = frozenset({"sector", "stage"})
"""Filters that select firms."""

LEVELS: tuple[str, ...] = ("district", "municipal", "provincial", "national")
"""Carrier levels from lowest to highest; ``level_at_least`` uses this order."""

KINDS: tuple[str, ...] = ("maker_space", "incubator", "accelerator", "park")
TAGS: tuple[str, ...] = (
    "large", "featured", "benchmark", "university_ecosystem", "service_institution",
)
STAGES: tuple[str, ...] = ("team", "startup", "growth")
STAGE_FILTERS: tuple[str, ...] = (*STAGES, "firm")
"""``stage: firm`` means incorporated firms (start-up or growth), i.e. teams excluded."""


@dataclass(frozen=True)
class MetricSpec:
    """What a metric means, its unit and which filters make sense for it."""

    name: str
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    kind: Literal["stock", "cumulative"]
    filters: frozenset[str]


METRICS: dict[str, MetricSpec] = {
    m.name: m
    for m in (
        MetricSpec("area", "孵化载体面积", "Carrier area", "平方米", "m²", "stock",
                   CARRIER_FILTERS),
        MetricSpec("carriers", "孵化载体数量", "Carriers", "个", "carriers", "stock",
                   CARRIER_FILTERS),
        MetricSpec("carriers_entered_cum", "累计新进入的载体(新认定、晋级或新建)",
                   "Carriers that came to match since the start (designated, promoted, opened)",
                   "个", "carriers", "cumulative", CARRIER_FILTERS),
        MetricSpec("in_incubation", "在孵企业(团队)", "Firms and teams in incubation", "个",
                   "firms", "stock", CARRIER_FILTERS | {"stage"}),
        MetricSpec("entries_cum", "累计入孵企业(团队)", "Cumulative entries into carriers", "个",
                   "firms", "cumulative", CARRIER_FILTERS | {"stage"}),
        MetricSpec("graduates_cum", "累计毕业企业", "Cumulative graduates", "个", "firms",
                   "cumulative", CARRIER_FILTERS),
        MetricSpec("tech_firms_incubated_cum", "累计孵化科技型企业",
                   "Tech firms incubated (cumulative)", "家", "firms", "cumulative",
                   frozenset({"sector"})),
        MetricSpec("tech_firms_valid", "有效科技型企业", "Valid tech firms", "家", "firms",
                   "stock", FIRM_FILTERS),
        MetricSpec("tech_firms_registered_cum", "累计入库科技型企业",
                   "Tech firms registered (cumulative entries)", "家", "firms", "cumulative",
                   frozenset()),
        MetricSpec("hnte_valid", "有效高新技术企业", "Valid high-tech enterprises (HNTE)", "家",
                   "firms", "stock", FIRM_FILTERS),
        MetricSpec("hnte_from_incubated_cum", "累计培育高新技术企业(在孵来源)",
                   "HNTE obtained by incubated firms (cumulative)", "家", "firms", "cumulative",
                   frozenset({"sector"})),
        MetricSpec("status_valid", "有效资质企业", "Firms holding statuses", "家", "firms",
                   "stock", FIRM_FILTERS | {"statuses"}),
        MetricSpec("firms", "区域企业数", "Firms in the region", "家", "firms", "stock",
                   FIRM_FILTERS),
        MetricSpec("mentors", "创业导师", "Mentors in carriers", "人", "people", "stock",
                   CARRIER_FILTERS),
        MetricSpec("staff", "专职服务人员", "Full-time carrier staff", "人", "people", "stock",
                   CARRIER_FILTERS),
        MetricSpec("spend", "累计投入", "Cumulative lever spending", "元", "yuan", "cumulative",
                   frozenset()),
    )
}
"""Every metric the engines record, by name."""

STATUS_METRICS: dict[str, str] = {"tech_firms_valid": "tech_firm", "hnte_valid": "hnte"}
"""Metrics that count holders of a fixed status id; the scenario must declare that status."""


def level_rank(level: str) -> int:
    """Position of a level in the hierarchy (district = 0 ... national = 3)."""
    return LEVELS.index(level)
