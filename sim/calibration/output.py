"""What a fit writes: the parameter YAML, the fit table, the posterior and the plots.

* Parameter file (``--out``): a path parameter becomes ``{value: X, source: ...}`` at its
  path (a parameter inside a list, such as ``firms.exit_by_age.0.rate``, writes the whole
  list, the other items copied unchanged with their sources); an uncertainty gets its
  distribution replaced by a normal truncated to its bounds, with mean the estimate and sd the
  SMM standard error or the ABC posterior sd (keys of the old distribution are deleted with
  ``null``, the include rule's deletion). Every value's source reads
  ``calibration/params/NAME.yaml: fitted by smm on calibration/data/X.csv (date)``.
* Fit table (CSV): one row per figure, used or not (with the reason), the simulated median,
  5% and 95% quantiles and mean before (``prior_*``) and after (``post_*``) calibration, and
  the standardised distance ``z = (mean - observed) / sqrt(sd_obs^2 + sd_sim^2)``.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from matplotlib.axes import Axes

from sim.calibration.figures import Figure, FigureSet
from sim.calibration.fit import FitResult, Simulated
from sim.calibration.params import FreeParam
from sim.messages import CALIBRATION_TEXT, label
from sim.plots import _ax
from sim.scenario import Scenario, to_data
from sim.scenario import paths as pathmod
from sim.store import atomic_write_bytes

DIST_KEYS = ("value", "low", "mode", "high", "mean", "sd", "mu", "sigma", "a", "b", "shape",
             "scale", "values", "weights")


def display(path: Path) -> str:
    """A path relative to the working directory when possible (as sources cite files)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def source_text(out: Path, method: str, data_path: Path, when: dt.date,
                cutoff: dt.date) -> str:
    """The source string of every fitted value (it names the cut-off of the figures fitted)."""
    shown = display(out)
    if not shown.startswith("calibration/"):  # written elsewhere (a test, a scratch folder)
        shown = (f"calibration/params/{out.name}" if out.parent.name == "params"
                 and out.parent.parent.name == "calibration" else f"calibration/ ({shown})")
    return (f"{shown}: fitted by {method} on {display(data_path)}, figures to the cut-off "
            f"{cutoff.isoformat()} ({when.isoformat()})")


def _round(v: float) -> float:
    """Six significant digits (the fit is not more precise than that)."""
    return float(f"{v:.6g}")


def written_values(fit: FitResult) -> dict[str, Any]:
    """What the parameter file holds per parameter: a number or distribution data."""
    out: dict[str, Any] = {}
    for p, est, sd in zip(fit.params, fit.estimate, fit.sd, strict=True):
        if p.kind == "path":
            out[p.name] = _round(est)
        else:
            spread = sd if math.isfinite(sd) and sd > 0 else (p.high - p.low) / 20
            dist: dict[str, Any] = {"dist": "normal", "mean": _round(est),
                                    "sd": _round(max(spread, (p.high - p.low) * 1e-3)),
                                    "low": _round(p.low), "high": _round(p.high)}
            # null deletes the prior's other keys (the include rule), e.g. a triangular's mode
            dist.update({k: None for k in DIST_KEYS if k not in dist})
            out[p.name] = dist
    return out


def param_document(scenario: Scenario, fit: FitResult, source: str) -> dict[str, Any]:
    """The parameter file's data (merged over the scenario's includes by ``include:``)."""
    data = to_data(scenario)
    doc: dict[str, Any] = {}
    values = written_values(fit)
    for p, sd in zip(fit.params, fit.sd, strict=True):
        sd_txt = f"{sd:.3g}" if math.isfinite(sd) else "not identified"
        src = (f"{source}; {'se' if fit.method == 'smm' else 'posterior sd'} {sd_txt}; "
               f"bounds [{p.low:g}, {p.high:g}]; was: {p.current_source or 'no source'}")
        if p.kind == "uncertainty":
            doc.setdefault("uncertainties", {})[p.name] = {
                "distribution": values[p.name], "source": src}
            continue
        concrete = pathmod.locate(data, p.name)
        list_at = next((i for i, k in enumerate(concrete) if isinstance(k, int)), None)
        node = doc
        if list_at is None:
            for key in concrete[:-1]:
                node = node.setdefault(key, {})
            holder = node
        else:
            for key in concrete[:list_at - 1]:
                node = node.setdefault(key, {})
            list_key = concrete[list_at - 1]
            if list_key not in node:  # a list replaces: write all of it, others unchanged
                node[list_key] = copy.deepcopy(pathmod.get(data, concrete[:list_at]))
            holder = node[list_key]
            for key in concrete[list_at:-1]:
                holder = holder[key]
        holder[concrete[-1]] = values[p.name]
        original = pathmod.get(data, concrete[:-1])
        if concrete[-1] == "value" or (isinstance(original, dict) and "source" in original):
            holder["source"] = src
    return doc


def param_yaml(doc: dict[str, Any], header: Sequence[str]) -> str:
    """The parameter file's text: a comment header, then the data."""
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100,
                          default_flow_style=False)
    return "".join(f"# {ln}\n" if ln else "#\n" for ln in header) + body


def write_text(path: Path, text: str) -> None:
    """Atomic UTF-8 text write."""
    atomic_write_bytes(path, text.encode("utf-8"))


FIT_COLUMNS = ("id", "region", "metric", "filters", "date", "kind", "observed", "sd_obs",
               "confidence", "used", "reason", "prior_median", "prior_q05", "prior_q95",
               "prior_mean", "prior_z", "post_median", "post_q05", "post_q95", "post_mean",
               "post_z", "source")


def _z(mean: float, obs: float, sd_obs: float, sd_sim: float) -> float:
    den = math.sqrt(sd_obs ** 2 + sd_sim ** 2)
    return (mean - obs) / den if den > 0 and math.isfinite(mean) else math.nan


def fit_rows(figset: FigureSet, figures: Sequence[Figure], prior: Simulated,
             post: Simulated) -> list[dict[str, Any]]:
    """One row per figure (``figures`` is the order of the simulated columns)."""
    verdict = {s.figure.id: s for s in figset.screened}
    stats = {}
    for name, sim in (("prior", prior), ("post", post)):
        stats[name] = (sim.quantile(0.5), sim.quantile(0.05), sim.quantile(0.95), sim.mean(),
                       sim.sd())
    rows = []
    for j, f in enumerate(figures):
        s = verdict[f.id]
        row: dict[str, Any] = {
            "id": f.id, "region": f.region, "metric": f.metric, "filters": f.filters_text,
            "date": f.date_text, "kind": f.kind, "observed": f.value, "sd_obs": f.sd,
            "confidence": f.confidence, "used": "yes" if s.usable else "no",
            "reason": s.reason, "source": f.source}
        for name in ("prior", "post"):
            med, q05, q95, mean, sd = (a[j] for a in stats[name])
            row.update({f"{name}_median": med, f"{name}_q05": q05, f"{name}_q95": q95,
                        f"{name}_mean": mean, f"{name}_z": _z(mean, f.value, f.sd, sd)})
        rows.append(row)
    return rows


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "" if not math.isfinite(v) else f"{v:.6g}"
    return str(v)


def table_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] = FIT_COLUMNS) -> str:
    """Rows as CSV text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_fmt(r.get(c, "")) for c in columns])
    return buf.getvalue()


def posterior_csv(fit: FitResult) -> str:
    """ABC particles: parameter values, distance, weight."""
    assert fit.posterior is not None and fit.distances is not None and fit.weights is not None
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([p.name for p in fit.params] + ["distance", "weight", "accepted"])
    for row, d, wt in zip(fit.posterior, fit.distances, fit.weights, strict=True):
        w.writerow([f"{v:.6g}" for v in row] + [f"{d:.6g}", f"{wt:.6g}", int(wt > 0)])
    return buf.getvalue()


# ------------------------------------------------------------------------------------- plots
TEXT = CALIBRATION_TEXT
"""This module's labels: one catalogue, sim/messages.py."""


def _t(key: str, lang: str) -> str:
    return label(TEXT, key, lang)


def predictive_fan(dates: Sequence[dt.date], prior: np.ndarray, post: np.ndarray,
                   observed: Sequence[tuple[dt.date, float, float]], *, title: str,
                   ylabel: str, lang: str = "zh", ax: Axes | None = None) -> Axes:
    """Posterior-predictive fan (median, 90% band) beside the prior median, observed points."""
    ax = _ax(ax)
    x = np.array(dates, dtype="datetime64[D]")
    q = {k: np.nanquantile(post, k, axis=0) for k in (0.05, 0.5, 0.95)}
    ax.fill_between(x, q[0.05], q[0.95], color="#9ecae1", alpha=0.6, linewidth=0,
                    label=f"{_t('post', lang)} {_t('band90', lang)}")
    ax.plot(x, q[0.5], color="#08306b", linewidth=2,
            label=f"{_t('post', lang)} {_t('median', lang)}")
    ax.plot(x, np.nanquantile(prior, 0.5, axis=0), color="#737373", linestyle="--",
            linewidth=1.5, label=f"{_t('prior', lang)} {_t('median', lang)}")
    if observed:
        ox = np.array([d for d, _, _ in observed], dtype="datetime64[D]")
        oy = np.array([v for _, v, _ in observed])
        oe = np.array([2 * s for _, _, s in observed])
        ax.errorbar(ox, oy, yerr=oe, fmt="o", color="#cb181d", capsize=4,
                    label=_t("observed", lang))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return ax


def predictive_hist(prior: np.ndarray, post: np.ndarray, observed: float, sd_obs: float, *,
                    title: str, lang: str = "zh", ax: Axes | None = None) -> Axes:
    """Per-replication values before and after calibration, the observed value and band."""
    ax = _ax(ax, (7.0, 4.0))
    vals = np.concatenate([prior[np.isfinite(prior)], post[np.isfinite(post)]])
    bins: list[float] | int = ([float(b) for b in np.histogram_bin_edges(vals, bins=20)]
                               if vals.size else 10)
    ax.hist(prior[np.isfinite(prior)], bins=bins, color="#bdbdbd", alpha=0.7,
            label=_t("prior", lang))
    ax.hist(post[np.isfinite(post)], bins=bins, color="#4292c6", alpha=0.7,
            label=_t("post", lang))
    ax.axvspan(observed - 2 * sd_obs, observed + 2 * sd_obs, color="#fcbba1", alpha=0.4)
    ax.axvline(observed, color="#cb181d", linewidth=2, label=_t("observed", lang))
    ax.set_title(title)
    ax.set_ylabel(_t("reps", lang))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def posterior_hist(draws: np.ndarray, weights: np.ndarray, param: FreeParam, *,
                   lang: str = "zh", ax: Axes | None = None) -> Axes:
    """ABC: prior draws and the weighted posterior of one parameter."""
    ax = _ax(ax, (6.0, 3.5))
    bins = [float(b) for b in np.linspace(param.low, param.high, 21)]
    ax.hist(draws, bins=bins, color="#bdbdbd", alpha=0.7, density=True,
            label=_t("prior_draws", lang))
    ax.hist(draws, bins=bins, weights=weights, color="#4292c6", alpha=0.8, density=True,
            label=_t("weight", lang))
    ax.set_title(param.name)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax
