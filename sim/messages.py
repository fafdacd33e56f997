"""The message catalogue: every sentence and label a reader sees, in Chinese and English.

``MESSAGES`` holds the command line's sentences, each (中文, English) with ``str.format``
fields; ``msg(key, lang, **fields)`` picks one. The ``*_TEXT`` tables hold labels and shorter
sentences, one table per reader-facing part (the commands' tables, the report, the plots,
``show``, the brief, the evidence grades, the backtest, calibration, scores of ended plans,
attribution flows, sensitivity plots, the mid-term update, a new scenario's skeleton, money's
unit); each module names its table ``TEXT`` (or a name of its own, such as ``FLOW_LABELS``)
and reads it with ``label(table, key, lang, **fields)``, or ``in_both`` for the bilingual
READMEs. ``UNITS`` holds the Chinese for units scenarios write in English. Results keep their
English ``message`` / ``note`` in JSON for programs; what a reader sees comes from here, so
``--lang zh`` prints Chinese. Only the modules listed in tests/test_messages.py
(``OWN_CHINESE``: the metric vocabulary, date formats, two quoted names) hold Chinese of
their own.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    "chance_warning": ("注意:盒子 {number} 可能只是随机产物(打乱结果后得到同样密度盒子的比例 "
                       "{shown};各限制的准p值均不低于 {level:g} 时同样提示),不宜据此下结论。",
                       "Warning: box {number} may be chance (share of shuffled outcomes giving a "
                       "box as dense: {shown}; also flagged when every restriction's quasi-p is "
                       "at least {level:g}); do not draw conclusions from it."),
    "new_written": ("已写入 {out}。把每个 FILL(示例; 说明) 换成规划或数据中的数字并写明来源,"
                    "然后运行: python run_sim.py validate {out}(逐行列出尚未填写之处)。"
                    "步骤见 docs/new-plan.md。",
                    "wrote {out}. Replace every FILL(example; what) by the plan's or the "
                    "record's figure with its source, then: python run_sim.py validate {out} "
                    "(it lists what is still unfilled, one line each). Steps: "
                    "docs/new-plan.md."),
    "run_unfinished": ("注意:此次运行尚未完成(约 {done}/{total} 次重复);下表只反映已完成部分。"
                       "继续运行:python run_sim.py run <情景> --out {run_dir} --resume",
                       "note: this run is unfinished (about {done} of {total} replications); "
                       "the table covers those only. To finish: python run_sim.py run "
                       "<scenario> --out {run_dir} --resume"),
    "report_written": ("报告:{path}", "report: {path}"),
    # the fast engine's first compile (printed in both languages: no --lang reaches it)
    "first_compile": ("首次在本机使用快速引擎:正在编译(每台机器仅此一次,约 1–3 分钟,"
                      "机器繁忙时更久)…",
                      "first use of the fast engine on this machine: compiling it (once per "
                      "machine, about 1-3 minutes, longer on a busy machine) …"),
    "still_compiling": ("仍在编译,已 {minutes} 分 {seconds:02d} 秒",
                        "still compiling, {minutes} min {seconds:02d} s so far"),
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
    "sens_p_few_reps": ("--output p 且 --reps {reps}:重复次数太少,达成概率是粗糙的阶梯函数,噪声会"
                        "表现为交互作用;请用 --reps {least} 以上,或 --output value",
                        "--output p with --reps {reps}: P(met) from so few replications is a "
                        "coarse step, and its noise shows up as interactions; use --reps {least} "
                        "or more, or --output value"),
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


# Labels of tables and plots, module by module (their keys are looked up there).
REPORT_TEXT: dict[str, tuple[str, str]] = {
    "kind_maker_space": ("众创空间", "maker space"),
    "kind_incubator": ("孵化器", "incubator"),
    "kind_accelerator": ("加速器", "accelerator"),
    "kind_park": ("科技园区", "park"),
    "level_district": ("区级", "district"),
    "level_municipal": ("市级", "municipal"),
    "level_provincial": ("省级", "provincial"),
    "level_national": ("国家级", "national"),
    "validity_years": ("{years} 年", "{years} years"),
    "validity_calendar_year": ("当年有效", "calendar year"),
    "validity_permanent": ("长期有效", "permanent"),
    "report": ("目标达成模拟报告", "Goal-attainment simulation report"),
    "region": ("地区", "Region"),
    "period": ("规划期", "Plan period"),
    "plan_source": ("规划文件", "Source plan"),
    "reps": ("模拟次数", "Replications"),
    "generated": ("报告生成时间", "Report generated"),
    "contents": ("目录", "Contents"),
    "findings": ("主要结论", "Key findings"),
    "brief": ("决策要点", "For the decision"),
    "expand": ("展开详情", "Show the details"),
    "shares": ("方差来源", "variance shares"),
    "joint": ("全部目标同时达成的概率", "Probability that all targets are met"),
    "joint_by_date": ("按目标日期的联合达成概率", "Joint probability by target date"),
    "date": ("日期", "Date"),
    "n_targets": ("目标数", "Targets"),
    "band_high": ("大概率达成", "Likely"),
    "band_mid": ("不确定", "Uncertain"),
    "band_low": ("难以达成", "Unlikely"),
    "none": ("无", "none"),
    "targets": ("各项目标", "Targets"),
    "backtest": ("模型检验:与公开数据对照", "Model check against the record"),
    "evidence": ("依据", "Evidence"),
    "id": ("编号", "Id"),
    "label": ("名称", "Target"),
    "metric": ("指标", "Metric"),
    "threshold": ("目标值", "Threshold"),
    "p_met": ("达成概率", "P(met)"),
    "ci": ("95% 区间", "95% interval"),
    "median": ("目标日中位数", "Median at date"),
    "q05_q95": ("5%–95%", "5%–95%"),
    "shortfall": ("平均缺口", "Mean shortfall"),
    "source": ("来源", "Source"),
    "note": ("说明", "Note"),
    "stretch": ("挑战值", "stretch"),
    "charts": ("图表", "Charts"),
    "attainment": ("达成概率总览", "Attainment overview"),
    "fan": ("发展趋势(中位数与50%/90%区间)", "Trajectory (median, 50% and 90% bands)"),
    "first_reach": ("首次达成时间", "First date reached"),
    "first_reach_table": ("首次达成日期分位数", "Quantiles of the first date reached"),
    "p_ever": ("目标日期前曾达到的概率", "P(reached at some month-end by the date)"),
    "never": ("模拟期内从未达到", "never reached in the horizon"),
    "never_all": ("所有模拟中均从未达到", "never reached in any replication"),
    "unmodelled": ("未纳入模型的目标", "Targets not modelled"),
    "not_modelled": ("不模拟", "not modelled"),
    "plan_value": ("规划值", "Plan figure"),
    "reason": ("原因", "Reason"),
    "assumptions": ("假设及其来源", "Assumptions and their sources"),
    "levers": ("政策杠杆", "Levers"),
    "value_run": ("本次取值", "Value in this run"),
    "default": ("默认值", "Default"),
    "bounds": ("范围", "Bounds"),
    "unit": ("单位", "Unit"),
    "unit_cost": ("单位成本(元)", "Unit cost (yuan)"),
    "drives": ("作用于", "Drives"),
    "uncertainties": ("不确定参数", "Uncertainties"),
    "distribution": ("分布", "Distribution"),
    "mean": ("均值", "Mean"),
    "sets": ("参数", "Parameters"),
    "carriers": ("基期孵化载体", "Baseline carriers"),
    "kind": ("类型", "Kind"),
    "level": ("级别", "Level"),
    "count": ("数量", "Count"),
    "area": ("面积(m²)", "Area (m²)"),
    "incubatees": ("在孵企业", "Incubatees"),
    "pipeline": ("建设项目", "Build-out pipeline"),
    "planned": ("计划日期", "Planned"),
    "p_delivery": ("交付概率", "P(delivery)"),
    "arrivals": ("企业来源", "Firm arrival sources"),
    "rate": ("年均到达", "Rate per year"),
    "growth": ("年增长", "Growth per year"),
    "stock": ("基期企业存量(载体外)", "Baseline firm stock outside carriers"),
    "statuses": ("企业资质认定", "Firm certifications"),
    "p_apply": ("年申报概率", "P(apply) per year"),
    "p_success": ("通过概率", "P(success)"),
    "validity": ("有效期", "Validity"),
    "all_figures": ("全部参数及来源(附录)", "Every figure with its source (appendix)"),
    "path": ("参数路径", "Parameter"),
    "value": ("数值", "Value"),
    "provenance": ("运行信息", "Provenance"),
    "scenario_id": ("情景编号", "Scenario id"),
    "scenario_file": ("情景文件", "Scenario file"),
    "scenario_hash": ("情景哈希", "Scenario hash"),
    "seed": ("随机种子", "Seed"),
    "engine": ("模拟引擎", "Engine"),
    "backend": ("计算后端", "Backend"),
    "workers": ("并行进程", "Workers"),
    "sampling": ("抽样方法", "Sampling"),
    "reps_done": ("完成次数", "Replications done"),
    "reps_requested": ("请求次数", "Replications requested"),
    "precision": ("精度要求", "Precision"),
    "wall": ("运行耗时(秒)", "Wall time (s)"),
    "started": ("开始时间", "Started"),
    "finished": ("结束时间", "Finished"),
    "status": ("状态", "Status"),
    "versions": ("软件版本", "Versions"),
    "comparison": ("情景比较", "Comparison"),
    "sweep": ("参数扫描", "Sweep"),
    "goal_seek": ("目标反推", "Goal-seek"),
    "attribution": ("缺口归因", "Shortfall attribution"),
    "sensitivity": ("敏感性分析", "Sensitivity"),
    "discovery": ("情景发现(PRIM)", "Scenario discovery (PRIM)"),
    "calibration": ("参数校准", "Calibration"),
    "rows_more": ("另有 {n} 行未显示", "{n} more rows not shown"),
    "how_to_read": ("阅读说明", "How to read"),
    "legend": ("颜色表示达成概率区间：绿色 ≥ 80%，黄色 50%–80%，红色 < 50%。"
               "区间为 95% Wilson 置信区间；平均缺口为未达成的模拟中目标日数值与目标值之差的均值。",
               "Colours give the probability band: green ≥ 80%, amber 50%–80%, red < 50%. "
               "Intervals are 95% Wilson score intervals; the mean shortfall is the average gap "
               "to the threshold at the target date in the replications that missed it."),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
}
"""The HTML report (sim/report.py)."""

PLOT_TEXT: dict[str, tuple[str, str]] = {
    "median": ("中位数", "median"),
    "band50": ("50% 区间", "50% band"),
    "band90": ("90% 区间", "90% band"),
    "target": ("目标", "target"),
    "p_met": ("达成概率", "P(target met)"),
    "first": ("首次达成时间", "first date reached"),
    "reps": ("重复次数", "replications"),
    "never": ("模拟期内从未达到", "never reached in the horizon"),
    "never_all": ("所有模拟中均从未达到", "never reached in any replication"),
    "base": ("基期", "base"),
    "likely": ("≥80%:较有把握", ">= 80%: likely"),
    "uncertain": ("50–80%:不确定", "50-80%: uncertain"),
    "unlikely": ("<50%:难以达成", "< 50%: unlikely"),
    "p80": ("80% 参考线", "80% line"),
    "ci": ("95% 区间", "95% interval"),
}
"""Plots of a run (sim/plots.py)."""

SENSITIVITY_PLOT_TEXT: dict[str, tuple[str, str]] = {
    "near_origin": ("{n} 个因素接近原点:", "{n} factors near the origin: "),
    "output_p": ("达成概率", "P(met)"),
    "output_value": ("目标日期的数值", "value at the date"),
    "of_missed": ("未达成", "missed"),
    "of_met": ("达成", "met"),
    "coverage_density": ("覆盖率 {coverage:.0%}, 密度 {density:.0%}",
                         "coverage {coverage:.0%}, density {density:.0%}"),
    "mu_star": ("μ*(平均绝对基本效应)", "μ* (mean absolute elementary effect)"),
    "sigma": ("σ(基本效应标准差)", "σ (std. of elementary effects)"),
    "raises": ("提高输出", "raises the output"),
    "lowers": ("降低输出", "lowers the output"),
    "s1": ("一阶指数 S1", "first order S1"),
    "st": ("总效应指数 ST", "total order ST"),
    "sobol_x": ("Sobol 指数(95% 区间)", "Sobol index (95% interval)"),
    "coverage": ("覆盖率(未达成情形中落在盒内的比例)",
                 "coverage (share of the cases of interest inside the box)"),
    "density": ("密度(盒内情形中属于关注情形的比例)",
                "density (share of the box's cases that are of interest)"),
    "res_dim": ("受限维数", "restricted dimensions"),
    "selected": ("选定的盒", "selected box"),
    "quantile": ("在各不确定性取值范围中的位置", "position within each factor's sampled range"),
    "box": ("盒的范围", "box limits"),
}
"""Sensitivity and PRIM plots (sim/sensitivity/plots.py)."""

SHOW_TEXT: dict[str, tuple[str, str]] = {
    "build": ("新建", "build"),
    "targets": ("目标", "Targets"),
    "unmodelled": ("未纳入模型的目标", "Targets not modelled"),
    "levers": ("政策杠杆", "Levers"),
    "uncertainties": ("不确定参数", "Uncertainties"),
    "carriers": ("基期孵化载体", "Baseline carriers"),
    "pipeline": ("建设项目", "Build-out pipeline"),
    "stock": ("基期企业存量(载体外)", "Baseline firm stock outside carriers"),
    "sources": ("企业来源", "Firm arrival sources"),
    "id": ("编号", "id"),
    "label": ("名称", "label"),
    "metric": ("指标", "metric"),
    "filters": ("筛选", "filters"),
    "threshold": ("目标值", "threshold"),
    "date": ("日期", "date"),
    "note": ("说明", "note"),
    "source": ("来源", "source"),
    "value": ("数值", "value"),
    "reason": ("原因", "reason"),
    "not_modelled": ("不模拟", "not modelled"),
    "unit": ("单位", "unit"),
    "default": ("默认值", "default"),
    "bounds": ("范围", "bounds"),
    "cost": ("单位成本(元)", "unit cost (yuan)"),
    "drives": ("作用于", "drives"),
    "distribution": ("分布", "distribution"),
    "sets": ("参数", "sets"),
    "kind": ("类型", "kind"),
    "level": ("级别", "level"),
    "count": ("数量", "count"),
    "area": ("面积(m²)", "area (m²)"),
    "incubatees": ("在孵", "incubatees"),
    "rate": ("年均到达", "rate / yr"),
    "planned": ("计划日期", "planned"),
    "p_delivery": ("交付概率", "P(delivery)"),
    "double": ("基期值的2倍", "2 x baseline"),
    "plus": ("基期值 +", "baseline +"),
    "documents": ("引用的文件", "Documents cited"),
    "plan": ("规划文件", "plan"),
    "since": ("累计起点", "counted since"),
    "before_start": ("基期前已累计", "counted before the start"),
    "title": ("标题", "title"),
    "number": ("文号", "number"),
    "address": ("公开地址", "public address"),
    "uncertain": ("(不确定)", " (uncertain)"),
    "stretch": ("挑战值", "stretch"),
    "period": ("时段", "period"),
}
"""The show command (sim/cli/show.py)."""

BACKTEST_TEXT: dict[str, tuple[str, str]] = {
    "title": ("模型检验:与公开数据对照", "Model check against the record"),
    "simulated": ("已模拟", "simulated"),
    "not_simulated": ("未能模拟", "not simulated"),
    "median": ("中位数", "median"),
    "band50": ("50% 区间", "50% band"),
    "band90": ("90% 区间", "90% band"),
    "after": ("截止日后的公开数据(检验)", "figures after the cut-off (test)"),
    "before": ("截止日前的公开数据", "figures up to the cut-off"),
    "cutoff": ("校准截止日", "calibration cut-off"),
    "readme_title": ("模型检验", "Model check against the record"),
    "readme_command": ("命令", "command"),
    "readme_record": ("公开数据:`{data}`;校准截止日:{cutoff};模拟 {reps} 次,种子 {seed}。",
                      "record: `{data}`; calibration cut-off: {cutoff}; {reps} replications, "
                      "seed {seed}."),
    "readme_counts": ("截止日后可模拟的公开数据:{n};未能模拟:{not_simulated}(原因见 "
                      "backtest.csv)。",
                      "figures after the cut-off simulated: {n}; not simulated: "
                      "{not_simulated} (reasons in backtest.csv)."),
    "readme_coverage": ("90% 区间覆盖率:{c90}({i90}/{n};低于 {below},高于 {above});"
                        "50%:{c50}({i50}/{n})。",
                        "coverage of the 90% band: {c90} ({i90}/{n}; below {below}, above "
                        "{above}); 50%: {c50} ({i50}/{n})."),
    "readme_crps": ("CRPS(模型 / 朴素趋势外推),{k} 个公开数据:均值 {mean:,.4g} / "
                    "{naive:,.4g};相对观测值 {rel:.3g} / {naive_rel:.3g};技能 {skill}"
                    "(1 − CRPS_模型 / CRPS_朴素;大于 0:模型更好)。",
                    "CRPS (model / naive trend), {k} figures: mean {mean:,.4g} / "
                    "{naive:,.4g}; relative to the observation {rel:.3g} / {naive_rel:.3g}; "
                    "skill {skill} (1 - CRPS_model / CRPS_naive; > 0: the model is better)."),
    "readme_none": ("截止日后没有可用于检验的本地区公开数据,此情景尚未经检验。",
                    "no figure of this region after the cut-off can be simulated: nothing "
                    "tests this scenario yet."),
    "readme_columns": ("backtest.csv 的列:{columns}。", "Columns of backtest.csv: {columns}."),
}
"""Backtest tables, plots and README (sim/calibration/backtest_output.py)."""

CALIBRATION_TEXT: dict[str, tuple[str, str]] = {
    "prior": ("校准前", "before calibration"),
    "post": ("校准后", "after calibration"),
    "observed": ("观测值 (±2 标准误)", "observed (±2 s.e.)"),
    "band90": ("90% 区间", "90% band"),
    "median": ("中位数", "median"),
    "reps": ("重复次数", "replications"),
    "weight": ("后验权重", "posterior weight"),
    "prior_draws": ("先验抽样", "prior draws"),
}
"""Calibration plots (sim/calibration/output.py)."""

ANALYSIS_PLOT_TEXT: dict[str, tuple[str, str]] = {
    "all_compared_jointly": ("全部目标同时达成", "all compared targets jointly"),
    "p_met": ("达成概率", "P(target met)"),
    "p_joint": ("全部目标同时达成概率", "P(all targets met)"),
    "p_diff": ("达成概率之差 (B − A)", "difference in P (B − A)"),
    "paired": ("配对区间(共同随机数)", "paired interval (common random numbers)"),
    "independent": ("独立运行区间", "independent-runs interval"),
    "spend": ("目标日期前累计投入(万元)", "spend to the target date (10k yuan)"),
    "required": ("要求概率", "required P"),
    "answer": ("最小取值", "least value"),
    "evaluated": ("已评估取值", "evaluated values"),
    "value": ("取值", "value"),
    "base": ("基期值", "base value"),
    "at_date": ("目标日期值", "value at the date"),
    "gap": ("缺口", "gap"),
    "target": ("目标", "target"),
    "share": ("预算份额", "budget share"),
}
"""Lever-analysis plots (sim/analysis/plots.py)."""

EVIDENCE_TEXT: dict[str, tuple[str, str]] = {
    "grade_data": ("数据", "data"),
    "grade_mixed": ("混合", "mixed"),
    "grade_assumption": ("假设", "assumption"),
    "class_assumption": ("假设", "assumed"),
    "class_derived": ("推算", "derived"),
    "class_data": ("数据", "data"),
    "shares": ("方差来源: {parts}; 起点: {baseline}",
               "variance from: {parts}; baseline: {baseline}"),
    "why_share": ("其结果波动的{share:.0%}来自假设参数",
                  "{share:.0%} of the spread of its outcome comes from assumed parameters"),
    "why_baseline": ("其起点数据是假设值", "its starting figure is assumed"),
    "rests_on_assumptions": ("该判断主要依据假设而非公开数据:{why},请谨慎引用。",
                             "This verdict rests mainly on assumptions, not public data: {why}; "
                             "quote it with care."),
}
"""A target's evidence grade and the sentence that says what it rests on (sim/evidence.py),
shown by the commands and the report."""

BRIEF_TEXT: dict[str, tuple[str, str]] = {
    "likely": ("可作为较有把握的目标引用(达成概率不低于80%):{names}。",
               "Likely at the current investment (P >= 80%), safe to quote as such: {names}."),
    "uncertain": ("达成与否不确定,需增加投入或调整目标值:{names}。",
                  "Uncertain: more investment or another target value is needed for {names}."),
    "unlikely": ("按当前投入难以达成:{names}。", "Unlikely at the current investment: {names}."),
    "seek": ("求达到80%所需的最少投入,对每个相关杠杆(本情景的杠杆:{levers})运行:"
             "python run_sim.py goal-seek {file} --target {target} --p 0.8 --lever 杠杆名",
             "To find the least investment that reaches 80%, run for each lever that bears on "
             "the target (this scenario's levers: {levers}): python run_sim.py goal-seek {file} "
             "--target {target} --p 0.8 --lever LEVER"),
    "no_lever": ("本情景没有政策杠杆:未达标的目标取决于需求与假设,而非投入;可用 "
                 "python run_sim.py attribution {file} --target {target} 查看原因。",
                 "This scenario has no investment lever: the targets below 80% depend on "
                 "demand and assumptions, not on spending; see why with python run_sim.py "
                 "attribution {file} --target {target}"),
    "named": ("{target}({p:.0%})", "{target} ({p:.0%})"),
    "separator": ("、", "; "),
    "assumed": ("以下结论主要依据假设而非公开数据,引用时请注明:{names}。",
                "These verdicts rest mainly on assumptions, not public data; say so when "
                "quoting them: {names}."),
}
"""The report's decision brief (sim/brief.py)."""

MONEY_TEXT: dict[str, tuple[str, str]] = {
    "wan": ("万元", "10k yuan"),
    "wan_per_year": ("万元/年", "10k yuan/yr"),
}
"""Money's unit as planners read it (sim/money.py)."""

UPDATE_TEXT: dict[str, tuple[str, str]] = {
    "uncertain_baseline": ("基期值不确定:{path}", "Uncertain baseline: {path}"),
    "carried": ("结转企业({stage}{held})", "Carried firms ({stage}{held})"),
    "held_separator": ("、", ", "),
    "was": ("原设定为 {was}(原情景基数)", "was {was} (the original scenario's base)"),
    "midterm_name": ("{name}(中期评估,{at}起)", "{name} (mid-term review from {at})"),
}
"""Names and notes written into a scenario in both languages (the mid-term update, sim/update.py;
uncertain baselines, sim/scenario/baselines.py)."""

SUMMARY_TEXT: dict[str, tuple[str, str]] = {
    "joint_over": ("{n} 项目标(每句规划取一种读法)",
                   "over {n} targets (one reading per plan sentence)"),
    "joint_left_out": (";另一读法不计入:{ids}", "; alternative readings left out: {ids}"),
    "id_separator": ("、", ", "),
}
"""Which targets a run's joint probability runs over (sim/summary.py: the run table, the
report)."""

FLOW_TEXT: dict[str, tuple[str, str]] = {
    "base_value": ("基期值", "base value"),
    "arrivals": ("新设/引进企业和团队", "firms and teams created"),
    "placed": ("入驻载体", "placed in carriers"),
    "refused": ("因无空位未入驻", "turned away for lack of space"),
    "graduated": ("毕业", "graduated"),
    "closed_in_carrier": ("在孵期间关闭", "closed in a carrier"),
    "closed_outside": ("载体外关闭", "closed outside carriers"),
    "relocated": ("迁出本地区", "relocated away"),
    "granted": ("获得认定", "granted"),
    "renewed": ("到期重新认定", "renewed"),
    "lapsed": ("到期未重新认定", "lapsed at expiry"),
    "lost": ("持有企业关闭或迁出", "lost (holder closed or relocated)"),
    "brought": ("迁入企业带入", "brought by arriving firms"),
    "other": ("其他(如到达最长在孵期)", "other (e.g. maximum stay reached)"),
}
"""Each counted flow of the attribution (sim/analysis/attribution.py)."""

OUTCOME_TEXT: dict[str, tuple[str, str]] = {
    "met": ("公布为达成", "published as met"),
    "missed": ("公布为未达成", "published as missed"),
    "unknown": ("未公布", "not published"),
    "no_row": ("结果文件中无此目标", "no row in the outcomes file"),
    "value": ("公布值 {v}({d})", "published value {v} at {d}"),
    "cumulative": ("公布值 {v}({d})已达到累计目标", "published value {v} at {d} already "
                   "meets a cumulative target"),
    "interim": ("中期值 {v}({d}):结果未定", "interim value {v} at {d}: the outcome is open"),
}
"""How an outcome of an ended plan was decided (sim/calibration/score.py); {v}: the published
value, {d}: its date."""

COHORT_TEXT: dict[str, tuple[str, str]] = {
    "graduate_tenure_mean_years": ("毕业企业平均在孵时间(年)",
                                   "Mean time in carrier of graduates (years)"),
    "graduate_tenure_median_years": ("毕业企业在孵时间中位数(年)",
                                     "Median time in carrier of graduates (years)"),
    "graduation_share_of_exits": ("离孵企业中毕业的比例",
                                  "Share of carrier exits that are graduations"),
    "survival_3y_new_firms": ("新设企业三年存活率", "3-year survival of new firms"),
    "share_incubatees_tech_firm": ("在孵企业成为科技型企业的比例",
                                   "Share of incubated firms that became tech firms"),
    "area_per_incubatee": ("每个在孵企业面积(平方米)", "Area per incubatee (m²)"),
}
"""Cohort statistics an engine computes for calibration (``Result.cohort``, its keys), with labels
(sim/calibration/figures.py)."""

SKELETON_TEXT: dict[str, tuple[str, str]] = {
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
"""The comments of a new scenario's skeleton (sim/scenario/skeleton.py).

``$record`` and ``${doc}`` are filled in by string.Template."""

CLI_TEXT: dict[str, tuple[str, str]] = {
    # column heads of the commands' tables
    "target": ("目标", "target"),
    "label": ("名称", "label"),
    "date": ("日期", "date"),
    "threshold": ("目标值", "threshold"),
    "simulated": ("模拟值", "simulated"),
    "met": ("达成", "met"),
    "p_met": ("达成概率", "P(met)"),
    "ci95": ("95%区间", "95% interval"),
    "median": ("中位数", "median"),
    "q05_q95": ("5%–95%", "5%–95%"),
    "evidence": ("依据", "evidence"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "seed": ("种子", "seed"),
    "all_jointly": ("全部目标同时达成", "All targets jointly"),
    # score
    "score_title": ("规划结果与事前概率", "Outcomes beside the ex-ante P(met)"),
    "scenario": ("情景", "scenario"),
    "p_ex_ante": ("事前概率", "P(met)"),
    "outcome": ("结果", "outcome"),
    "how_decided": ("依据", "how decided"),
    "outcome_met": ("达成", "met"),
    "outcome_missed": ("未达成", "missed"),
    "outcome_unknown": ("未公开", "not public"),
    "outcome_interim": ("仅中期", "interim"),
    "forecaster_model": ("模型", "model"),
    "forecaster_always_50": ("始终50%", "always 50%"),
    "forecaster_pre_plan_trend": ("规划前趋势", "pre-plan trend"),
    "forecast_p": ("预测达成概率", "forecast P(met)"),
    "observed_share": ("实际达成比例", "observed frequency"),
    "reliability": ("可靠性图", "Reliability diagram"),
    "score_readme_title": ("规划结果检验", "How the plans ended: ex-ante P(met) against the "
                           "outcomes"),
    "n_targets": ("目标数", "targets"),
    "n_public": ("结果已公开", "outcome public"),
    "n_interim": ("仅有中期数值", "interim only"),
    "n_unknown": ("未公开", "not public"),
    # targets
    "targets_title": ("{region} 下一期目标建议", "{region}: draft targets"),
    "metric": ("指标", "metric"),
    "filters": ("筛选", "filters"),
    "p": ("概率", "P"),
    "reachable": ("可达数值", "value"),
    "plan_value": ("规划取值", "plan value"),
    "lever": ("杠杆", "lever"),
    "cost_per_year": ("年投入(万元)", "cost (10k yuan/yr)"),
    "drafted_label": ("{year}年{metric}{value:,.0f}{unit}", "{metric} >= {value:,.0f} by {year}"),
    "targets_readme_title": ("下一期规划目标建议", "Draft targets for the next plan"),
    "targets_readme_values": ("到 {date} 各指标以概率 p 可达到的数值(中位数及95%区间)",
                              "the value reached by {date} with probability p, with its 95% "
                              "interval"),
    "targets_readme_at_lever": ("杠杆 {lever} = {value:g}(其余取值见 targets.csv 与下表)",
                                "at lever {lever} = {value:g} (the other values: targets.csv and "
                                "the table below)"),
    "targets_readme_lever": ("P = 80% 的数值随杠杆 {lever} 变化",
                             "the P = 0.8 value against the lever"),
    "value": ("数值", "value"),
    # sensitivity and discover
    "rank": ("排名", "rank"),
    "factor": ("因素", "factor"),
    "st": ("总效应 ST", "ST"),
    "s1": ("一阶 S1", "S1"),
    "mu_star": ("μ*", "mu*"),
    "mu": ("μ", "mu"),
    "sigma": ("σ", "sigma"),
    "low": ("下限", "low"),
    "high": ("上限", "high"),
    "sampled_range": ("抽样范围", "sampled range"),
    "quasi_p": ("准p值", "quasi-p"),
    "no_restriction": ("未找到限制", "no restriction found"),
    "of_interest_missed": ("{target} ({target_id}):{n} 次重复中 {k} 次未达成({share:.0%})",
                           "{target} ({target_id}): missed in {k} of {n} replications "
                           "({share:.0%})"),
    "of_interest_met": ("{target} ({target_id}):{n} 次重复中 {k} 次达成({share:.0%})",
                        "{target} ({target_id}): met in {k} of {n} replications ({share:.0%})"),
    # backtest
    "backtest_title": ("{region} 模型检验(截止日 {cutoff} 之后的公开数据)",
                       "{region}: check against the record after {cutoff}"),
    "figure": ("公开数据", "figure"),
    "observed": ("观测值", "observed"),
    "median_band": ("中位数 [5%, 95%]", "median [5%, 95%]"),
    "pit": ("PIT", "PIT"),
    "in_90": ("90%内", "in 90%"),
    "crps": ("CRPS 模型/朴素", "CRPS model/naive"),
    "coverage_90": ("90% 区间覆盖率", "coverage of the 90% band"),
    "not_simulated": ("未能模拟的公开数据", "figures not simulated"),
    "no_figure": ("没有可检验的公开数据", "no figure to check"),
    "backtest_total": ("全部情景:90% {i90}/{n}({c90:.0f}%),50% {i50}/{n}({c50:.0f}%);"
                       "低于/高于 90% 区间:{below}/{above}",
                       "all scenarios: 90% {i90}/{n} ({c90:.0f}%), 50% {i50}/{n} ({c50:.0f}%); "
                       "below/above 90%: {below}/{above}"),
    "crps_skill": (";CRPS 相对朴素预测的技能 {skill:.3f}", "; CRPS skill vs naive {skill:.3f}"),
    # calibrate
    "fitted_title": ("校准参数", "Fitted parameters"),
    "parameter": ("参数", "parameter"),
    "bounds": ("范围", "bounds"),
    "prior_start": ("先验/初值", "prior/start"),
    "estimate": ("估计", "estimate"),
    "sd": ("标准误", "sd"),
    "fit_table": ("拟合表", "Fit table"),
    "observation": ("观测", "figure"),
    "used": ("用于拟合", "used"),
    "before_band": ("校准前 中位数 [5%, 95%]", "before: median [5%, 95%]"),
    "z_before": ("z 前", "z before"),
    "after_band": ("校准后 中位数 [5%, 95%]", "after: median [5%, 95%]"),
    "z_after": ("z 后", "z after"),
    "fit_note": ("注:{note}", "note: {note}"),
    "runs_stopped": ("各次运行止于 {date}(最后一个有日期的公开数据之后;未使用队列统计)",
                     "runs stopped at {date} (after the last dated figure; no cohort statistic "
                     "used)"),
    "overridden": ("[bold red]警告[/bold red]:情景文件本身设定了 {names};"
                   "{param_file} 的引用会在那里被覆盖(请把这些行移入参数文件)",
                   "[bold red]warning[/bold red]: the scenario file itself sets {names}; an "
                   "include of {param_file} would be overridden there (move those lines into "
                   "the parameter file)"),
    # lever analyses
    "all_jointly_lower": ("全部目标同时达成", "all targets jointly"),
    "paired_crn": ("共同随机数配对", "paired, common random numbers"),
    "p_a": ("P(A)", "P(A)"),
    "p_b": ("P(B)", "P(B)"),
    "p_diff": ("差值 B−A", "P(B) − P(A)"),
    "paired_ci95": ("配对95%区间", "paired 95% interval"),
    "independent_ci": ("独立运行区间", "independent interval"),
    "var_ratio": ("方差比", "var ratio"),
    "value_diff": ("目标日值之差", "value diff (B − A)"),
    "spend_diff": ("投入之差 B−A({unit},至目标日)", "spend B − A ({unit}, to the date)"),
    "var_ratio_caption": ("方差比 = Var(B−A)/(Var A + Var B),小于1即配对比较更精确",
                          "var ratio = Var(B − A) / (Var A + Var B) of the met indicator; "
                          "below 1: pairing beats independent runs"),
    "sweep": ("参数扫描", "sweep"),
    "lever_value": ("取值", "value"),
    "joint": ("全部", "joint"),
    "spend_to_last": ("投入(万元,至最晚目标日)", "spend to last date (10k yuan)"),
    "p_short": ("达成概率", "P"),
    "reaches_p": ("达到要求", "reaches p"),
    "cost_a_year": ("年成本(万元)", "cost a year (10k yuan)"),
    "spend_to_date": ("累计投入(万元)", "spend to date (10k yuan)"),
    "split_title": ("{scenario}:每年 {budget:,.0f} {per_year} 分配于 {levers} — P({targets}),"
                    "n = {n},种子 {seed}",
                    "{scenario}: {budget:,.0f} {per_year} across {levers} — P({targets}), "
                    "n = {n}, seed {seed}"),
    "split_best": ("最佳分配:P = {p:.1%} [{lo:.1%}, {hi:.1%}](默认值:{p0:.1%});{verdict} "
                   "p = {p_required:g};每年投入 {spent:,.0f} 元(预算 {budget:,.0f} 元)",
                   "best split: P = {p:.1%} [{lo:.1%}, {hi:.1%}] (defaults: {p0:.1%}); "
                   "{verdict} p = {p_required:g}; spends {spent:,.0f} of {budget:,.0f} yuan a "
                   "year"),
    "reaches": ("达到", "reaches"),
    "does_not_reach": ("未达到", "does NOT reach"),
    "missed_reps": ("未达成的重复", "replications that missed"),
    "flow": ("流量", "flow"),
    "sign": ("符号", "sign"),
    "mean_missed": ("未达成均值", "mean, missed"),
    "gap_share": ("占缺口比例", "as share of gap"),
    "mean_met": ("达成均值", "mean, met"),
    "contribution": ("对差距的贡献", "contribution"),
    "prim_box": ("PRIM 盒 {number}:覆盖率 {coverage:.0%},密度 {density:.0%},质量 {mass:.0%}",
                 "PRIM box {number}: coverage {coverage:.0%}, density {density:.0%}, "
                 "mass {mass:.0%}"),
}
"""Tables and titles the commands print (sim/cli/)."""


def label(table: Mapping[str, tuple[str, str]], key: str, lang: str, **fields: Any) -> str:
    """Entry ``key`` of a label table in ``lang`` (zh or en), its ``str.format`` fields filled."""
    zh, en = table[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text


def in_both(table: Mapping[str, tuple[str, str]], key: str, sep: str = " / ",
            **fields: Any) -> str:
    """Entry ``key`` in Chinese, then English: the bilingual files (an analysis README)."""
    return f"{label(table, key, 'zh', **fields)}{sep}{label(table, key, 'en', **fields)}"


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


def both(key: str, **fields: Any) -> str:
    """The message ``key`` in Chinese, then English ("中文 / English")."""
    return f"{msg(key, 'zh', **fields)} / {msg(key, 'en', **fields)}"


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


HELP_ZH: dict[str, str] = {
    "A run folder written by 'run'.": "运行目录",
    "A.yaml B.yaml, or one scenario with --set.": "两个情景文件,或一个情景加 --set",
    "ABC: prior draws.": "ABC 先验抽样数",
    "ABC: share of draws kept.": "ABC 保留比例",
    "Add replications until every P interval half-width is <= this.": "精度:区间半宽上限",
    "Also study this lever (uniform over its bounds; repeatable; 'all').": "同时分析的杠杆",
    "Bisection tolerance in the lever's unit \\[default: 1% of its bounds].": "二分容差",
    "Boxes to find (PRIM covering).": "盒子数",
    "Budget shares on a grid of step 1/GRID.": "预算分配网格",
    "Cases of interest: missed (default) or met.": "关注未达成或达成",
    "Continue an interrupted run in --out.": "继续中断的运行",
    "Date the values are read at, YYYY-MM-DD.": "读取日期",
    "Discard a previous run in --out.": "覆盖原有运行",
    "Filters of the matching --metric, e.g. kind=incubator;level=national.": "指标筛选条件",
    "Find the least value of this lever with P >= p.": "求最小取值的杠杆",
    "Fixed lever value, LEVER=NUMBER (repeatable).": "固定杠杆取值",
    "Folder of the fit table and plots [default: calibration/fits/NAME].": "拟合结果目录",
    "Folder to write \\[default: RUN_DIR/discovery-<target>].": "输出目录",
    "Folder to write \\[default: runs/<id of A>/compare-<what>].": "输出目录",
    "Folder to write \\[default: runs/<id>/attribution-<target>].": "输出目录",
    "Folder to write \\[default: runs/<id>/goal-seek-<target>-<lever>-p<p>].": "输出目录",
    "Folder to write \\[default: runs/<id>/sweep-<levers>].": "输出目录",
    "Folder to write \\[default: runs/<id>/targets-<date>].": "输出目录",
    "Folder to write \\[default: runs/score].": "输出目录",
    "Free parameters, comma-separated: uncertainty names or dotted paths, each optionally "
    "NAME=LOW:HIGH.": "待估参数",
    "HTML file to write [default: RUN_DIR/report.html (Chinese) or RUN_DIR/report.en.html "
    "(English)].": "报告文件",
    "Lever to sweep (give a second --lever for a grid).": "扫描的杠杆",
    "Lever to vary (with --values).": "变动的杠杆",
    "Levers for --budget: A,B,C.": "分配预算的杠杆",
    "Metric name (repeat for several).": "指标名称",
    "Morris trajectories \\[default 10] or Sobol base samples, a power of 2 \\[default 64]. "
    "Cost: n(D+1) (Morris) or n(D+2) (Sobol) points x --reps.": "样本规模",
    "Observed figures, a CSV (calibration/data/).": "观测数据",
    "Only these figure ids (comma-separated) inform the fit [default: all usable].":
        "参与拟合的数据编号",
    "Parameter file to write, calibration/params/NAME.yaml.": "参数文件",
    "Probabilities, comma-separated.": "概率水平",
    "Public record, a CSV \\[default: calibration/data/<id>.csv].": "公开数据",
    "Refinement rounds (halving the step).": "细化轮数",
    "Replications of the before/after predictive check [default: --reps].": "检验重复次数",
    "Replications per candidate (the same indices for every candidate).": "每个候选的重复次数",
    "Replications per sample point (the same indices 0..K-1 at every point: common random "
    "numbers).": "每个样本点的重复次数",
    "Replications the carried state is chosen among.": "状态抽取的重复次数",
    "Require the 95% Wilson lower bound (not the estimate) to reach p.": "以置信下界判断",
    "Required P(target met).": "要求的达成概率",
    "Root seed of the design and replications.": "随机种子",
    "Root seed.": "随机种子",
    "Run folder \\[default: runs/<scenario id>]; results go to its sub-folder "
    "sensitivity-<method>-<target>/.": "运行目录",
    "Run folder to write backtest/ into \\[default: runs/<id>]; with several scenarios, the "
    "folder of their run folders \\[default: runs].": "运行目录",
    "SMM: at most this many optimizer evaluations.": "SMM 最多评估次数",
    "Scenario YAML file(s).": "情景文件",
    "Scenario YAML file.": "情景文件",
    "Scenario YAML files \\[default: every shipped plan that has ended].": "情景文件",
    "Scenario YAML files to check.": "待检查的情景文件",
    "Seed of the replication (0 is a valid seed).": "随机种子",
    "Share peeled off per step.": "每步剥离比例",
    "Smallest share of cases in a box.": "盒内最小比例",
    "Target id (repeatable: one design serves every target named).": "目标编号",
    "Target id.": "目标编号",
    "The box reported is the densest with at least this coverage.": "最低覆盖率",
    "The new base date (the state known), YYYY-MM-DD.": "新的基期",
    "The new scenario file to write (.yaml).": "新情景文件",
    "The new scenario's id.": "新情景编号",
    "Uncertainty sampling: mc or lhs.": "不确定参数抽样方法",
    "Upper bound with --precision.": "最多重复次数",
    "Values of --lever: V1,V2,... or START:STOP:N.": "杠杆取值",
    "Values of the matching --lever: V1,V2,... or START:STOP:N.": "杠杆取值",
    "Write the monthly table as CSV here.": "月度结果文件",
    "Yuan a year above the defaults to split across --levers.": "每年预算(元)",
    "chongqing, beijing, hubei or none: which shared rules it includes.": "引用的共用规则",
    "default (target metrics) or full.": "保存内容",
    "fast (default: numba, checked against the reference) or reference (SimPy, slow).":
        "模拟引擎",
    "fast (default: the compiled model) or reference (SimPy; slow).": "模拟引擎",
    "fast (default: the model compiled with numba) or reference (SimPy; slow).": "模拟引擎",
    "fast (default: the model compiled with numba, checked against the reference) or "
    "reference (SimPy: defines the model; slow).": "模拟引擎",
    "morris (screening) or sobol (indices).": "分析方法",
    "reference (default: SimPy, defines the model) or fast.": "模拟引擎",
    "smm (simulated method of moments) or abc (ABC rejection).": "校准方法",
    "value (default: the mean value of the target's metric at its date over the K "
    "replications; ranks assumptions well on a small budget) or p (the share of the K "
    "replications meeting the target; use with --reps 20 or more).": "分析对象",
}
"""Chinese names of the command-line options whose help is written in English in run_sim.py
(shown as "中文 · English" by sim.cli.entry.bilingual_help)."""
