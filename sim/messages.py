"""The message catalogue: sentences the command line prints, in Chinese and English.

Each entry is (中文, English) with ``str.format`` fields; ``msg(key, lang, **fields)`` picks
one. Results keep their English ``message`` / ``note`` in JSON for programs; what a reader
sees on the console comes from here, so ``--lang zh`` prints Chinese.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # progress of a run
    "progress": ("[{label}] {done}/{total} 次重复,{rate:.2f} 次/秒,约剩 {left:.0f} 秒",
                 "[{label}] {done}/{total} replications, {rate:.2f} rep/s, ~{left:.0f} s left"),
    "progress_started": ("[{label}] {done}/{total} 次重复,已开始",
                         "[{label}] {done}/{total} replications, started"),
    "interrupted": ("\n已中断:已完成的重复保存在 {out};继续运行:{command}",
                    "\ninterrupted: the finished replications are kept in {out}; continue "
                    "with: {command}"),
    "written": ("已写入:{files}", "written: {files}"),
    "report_written": ("报告:{path}", "report: {path}"),
    # goal-seek
    "seek_found": ("结果:使 P ≥ {p:g} 的最小 {lever} 为 {value:g} {unit}"
                   "(P = {pv:.1%},95% 区间 [{lo:.1%}, {hi:.1%}]);取 {below:g} 时 P = {pb:.1%}",
                   "result: least {lever} with P >= {p:g}: {value:g} {unit} (P = {pv:.1%}, 95% "
                   "interval [{lo:.1%}, {hi:.1%}]); at {below:g}, P = {pb:.1%}"),
    "seek_at_lower": ("结果:{lever} 取下限 {value:g} {unit} 时已有 P ≥ {p:g}"
                      "(P = {pv:.1%},95% 区间 [{lo:.1%}, {hi:.1%}])",
                      "result: P >= {p:g} already at the lower bound {lever} = {value:g} {unit} "
                      "(P = {pv:.1%}, 95% interval [{lo:.1%}, {hi:.1%}])"),
    "seek_none": ("无解:{lever} 在 [{lo_b:g}, {hi_b:g}] {unit} 范围内均达不到 P ≥ {p:g};"
                  "取上限 {hi_b:g} 时 P = {pv:.1%}(95% 区间 [{lo:.1%}, {hi:.1%}],n = {n})",
                  "NO SOLUTION: no value of {lever} within [{lo_b:g}, {hi_b:g}] {unit} reaches "
                  "P >= {p:g}: at the upper bound, P = {pv:.1%} (95% interval [{lo:.1%}, "
                  "{hi:.1%}], n = {n})"),
    "seek_not_monotone": ("(在已评估的取值上 P 并非单调:请用 sweep 核对)",
                          " (P is not monotone over the evaluated values: check with a sweep)"),
    # attribution
    "attr_no_met": ("没有一次重复达成目标:贡献需要达成的重复作参照;下表为未达成重复的流量",
                    "no replication met the target: contributions need a met replication as "
                    "the reference; the flows of the missed replications are shown"),
    "attr_all_met": ("每次重复都达成了目标:没有缺口可分解",
                     "every replication met the target: there is no shortfall to attribute"),
    "attr_no_identity": ("{metric} 在流量中没有存量—流量恒等式(全区企业与资质流量):"
                         "这些流量仅供参考,不带符号",
                         "{metric} has no stock-flow identity in the flows (region-wide firm and "
                         "status flows): the flows are context, without signs"),
    "attr_title": ("{scenario}:{target} — 达成概率 {p:.1%},n = {n};未达成时平均缺口 {gap:,.1f}",
                   "{scenario}: {target} — P = {p:.1%}, n = {n}; mean gap when missed {gap:,.1f}"),
    "seek_title": ("{scenario}:求 {lever} 使 P({targets}) ≥ {p:g} — n = {n},种子 {seed},{how}",
                   "{scenario}: goal-seek {lever} for P({targets}) >= {p:g} — n = {n}, seed "
                   "{seed}, {how}"),
    "seek_conservative": ("以 Wilson 下界判断", "Wilson lower bound"),
    # analysis README.md files
    "from_python": ("(在 Python 中调用)", "(from Python)"),
    "readme_compare_title": ("情景比较:B = {b} 与 A = {a}", "compare: B = {b} vs A = {a}"),
    "readme_compare_row": ("- {target}:P(A) {pa},P(B) {pb},差值 {d} [{lo}, {hi}](配对;"
                           "独立运行区间 [{ilo}, {ihi}])",
                           "- {target}: P(A) {pa}, P(B) {pb}, difference {d} [{lo}, {hi}] "
                           "paired (independent runs: [{ilo}, {ihi}])"),
    "readme_crn": ("- 每个取值 {n} 次重复,种子 {seed},{engine} 引擎,共同随机数",
                   "- n = {n} replications each, seed {seed}, engine {engine}, common random "
                   "numbers"),
    "readme_sweep_title": ("参数扫描 {levers}({scenario})", "sweep {levers} ({scenario})"),
    "readme_values": ("- {lever} 取值:{values}", "- {lever}: {values}"),
    "readme_targets": ("- 目标:{targets}", "- targets: {targets}"),
    "readme_seek_title": ("求 {lever} 使 P({targets}) ≥ {p:g}",
                          "goal-seek {lever} for P({targets}) >= {p:g}"),
    "readme_budget_title": ("每年 {amount:,.0f} 万元的预算分配({scenario})",
                            "budget split of {amount:,.0f} ten-thousand yuan a year ({scenario})"),
    "readme_budget_row": ("- {lever}:每年 {amount:,.1f} 万元 → {value:,.6g} {unit}",
                          "- {lever}: {amount:,.1f} ten-thousand yuan a year -> {value:,.6g} "
                          "{unit}"),
    "readme_budget_p": ("- P({targets}) = {p:.1%} [{lo:.1%}, {hi:.1%}];是否达到 p = {req:g}:{ok}",
                        "- P({targets}) = {p:.1%} [{lo:.1%}, {hi:.1%}]; reaches p = {req:g}: "
                        "{ok}"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "readme_attr_title": ("缺口分解:{target}({scenario})",
                          "shortfall attribution: {target} ({scenario})"),
    "readme_attr_p": ("- 达成概率 {p:.1%}(n = {n});未达成时平均缺口 {gap:,.1f}",
                      "- P = {p:.1%} (n = {n}); mean gap when missed {gap:,.1f}"),
    "readme_sens_title": ("{target} 的 {method} 敏感性分析", "{method} sensitivity of {target}"),
    "readme_sens_output_p": ("达成概率(K 次重复中达成目标的比例)",
                             "P(met), share of the K replications meeting the target"),
    "readme_sens_output_value": ("目标日期数值在 K 次重复上的均值",
                                 "mean value at the target date over the K replications"),
    "readme_sens_body": ("输出:{what}。{points:,} 个样本点 x {reps} 次重复 = {total:,} 次重复"
                         "(共同随机数:每个样本点使用重复编号 0..{last}),用时 {seconds:.0f} 秒。",
                         "Output: {what}. {points:,} points x {reps} replications = {total:,} "
                         "replications (common random numbers: replication indices 0..{last} at "
                         "every point), {seconds:.0f} s."),
    "readme_sens_top": ("影响最大的因素({level}% 区间):", "Most influential ({level}% intervals):"),
    "readme_prim_title": ("PRIM 情景发现:{target}({of})",
                          "PRIM scenario discovery: {target} ({of})"),
    "readme_prim_count": ("{of}:{k} / {n} 次重复({share:.0%})。",
                          "{of} in {k} of {n} replications ({share:.0%})."),
    "readme_prim_box": ("盒子 {box}:覆盖率 {coverage:.0%},密度 {density:.0%},质量 {mass:.0%}",
                        "Box {box}: coverage {coverage:.0%}, density {density:.0%}, mass "
                        "{mass:.0%}"),
    "readme_prim_none": (":未找到限制。", ": no restriction found."),
    "readme_prim_limit": ("- {label}({factor})在 [{low:.4g}, {high:.4g}],抽样范围 "
                          "[{full_low:.4g}, {full_high:.4g}](准p值 {qp:.2g})",
                          "- {label} ({factor}) in [{low:.4g}, {high:.4g}] of [{full_low:.4g}, "
                          "{full_high:.4g}] (quasi-p {qp:.2g})"),
    "missed": ("未达成", "missed"),
    "met": ("达成", "met"),
    # analyses
    "evaluating": ("{reps} 次重复,杠杆取值 {levers}", "{reps} replications at {levers}"),
    "evaluating_defaults": ("{reps} 次重复,杠杆取默认值", "{reps} replications at defaults"),
    "seek_estimate": ("以点估计判断", "point estimate"),
}


UNITS: dict[str, str] = {
    "million yuan per year": "百万元/年",
    "m² per year": "平方米/年",
    "mentors per 100 incubatees": "名导师/每百家在孵企业",
    "staff per 100 incubatees": "名服务人员/每百家在孵企业",
    "per_year": "每年",
    "per_100_incubatees_year": "每百家在孵企业每年",
    "yuan": "元",
    "firms": "家",
    "m²": "平方米",
}
"""Chinese for the units scenarios and cost bases write in English (others shown as written)."""


def unit_in(unit: str | None, lang: str) -> str:
    """A unit (or cost basis) as the reader's language writes it."""
    if not unit:
        return ""
    return UNITS.get(unit, unit) if lang == "zh" else unit.replace("_", " ")


def msg(key: str, lang: str, **fields: Any) -> str:
    """The message ``key`` in ``lang`` (zh or en) with its fields filled in."""
    zh, en = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**fields)


class Message(str):
    """A message that reads as its English text, and knows its key to be shown in Chinese.

    Library code hands these to progress callbacks that expect a string; the command line
    prints ``in_lang(lang)``.
    """

    key: str
    fields: dict[str, Any]

    def __new__(cls, key: str, **fields: Any) -> Message:
        """The message ``key`` with ``fields``; its string value is the English text."""
        obj = super().__new__(cls, msg(key, "en", **fields))
        obj.key, obj.fields = key, fields
        return obj

    def in_lang(self, lang: str) -> str:
        """The message in ``lang``."""
        return msg(self.key, lang, **self.fields)
