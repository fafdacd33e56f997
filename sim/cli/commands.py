"""What each CLI command does, returning an exit code (0 success, 2 bad input)."""

from __future__ import annotations

import contextlib
import errno
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console

from sim.messages import CLI_TEXT, label, msg
from sim.scenario import Scenario, ScenarioError, load_scenario

EXIT_OK = 0
EXIT_BAD_INPUT = 2

TEXT = CLI_TEXT
"""The labels of this module's tables (the catalogue, sim/messages.py)."""


def _err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def report_scenario_error(exc: ScenarioError) -> int:
    """Print each problem on its own line to stderr; return the bad-input exit code."""
    for problem in exc.problems:
        print(str(problem), file=sys.stderr)
    return EXIT_BAD_INPUT


def validate(paths: list[Path]) -> int:
    """Validate each file; report all problems; 2 if any file is bad."""
    out = Console(highlight=False, soft_wrap=True)
    status = EXIT_OK
    for path in paths:
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            status = report_scenario_error(exc)
            continue
        out.print(f"{path}: ok ({sc.meta.id}, {len(sc.targets)} targets)")
    return status


def show(path: Path, lang: str) -> int:
    """Print the scenario's tables."""
    from sim.cli.show import print_scenario

    if lang not in ("zh", "en"):
        print(f"--lang: {lang!r}: unknown language (expected zh or en)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    print_scenario(sc, lang, Console(highlight=False, soft_wrap=False, width=160))
    return EXIT_OK


def simulate_one(path: Path, seed: int, out: Path | None, lang: str,
                 engine: str = "reference") -> int:
    """Run one replication and print each target's metric at its date."""
    from rich.table import Table

    from sim.cli.show import threshold_text
    from sim.engines import get_engine
    from sim.targets import judge

    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    result = get_engine(engine)(sc, seed)
    zh = lang == "zh"
    table = Table(title=f"{sc.meta.name.zh if zh else sc.meta.name.en} — "
                        f"{label(TEXT, 'seed', lang)} {seed}")
    for head in ("target", "label", "date", "threshold", "simulated", "met"):
        table.add_column(label(TEXT, head, lang), overflow="fold")
    for t in sc.targets:
        o = judge(t, result)
        table.add_row(t.id, t.label.zh if zh else t.label.en, str(t.date),
                      f"{threshold_text(t, lang)} [{o.threshold:,.0f}]", f"{o.value:,.1f}",
                      label(TEXT, "yes" if o.met else "no", lang))
    Console(highlight=False, width=160).print(table)
    if out is not None:
        write_rows_csv(result, out)
        print(f"wrote {out}")
    return EXIT_OK


def write_rows_csv(result: object, out: Path) -> None:
    """Write the tidy monthly table whole or not at all (``sim.atomic``)."""
    import csv

    from sim import atomic
    from sim.result import Result
    from sim.store import CSV_ENCODING

    assert isinstance(result, Result)
    with atomic.replacing(out) as tmp, tmp.open("w", newline="", encoding=CSV_ENCODING) as fh:
        w = csv.writer(fh)
        w.writerow(["time", "date", "metric", "group", "value"])
        for row in result.rows():
            w.writerow(row)


EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C or SIGTERM (128 + SIGINT), as shells expect."""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C while a run works, so the pool stops its workers."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (tests, notebooks): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(path: Path, out: Path | None, cfg: object, lang: str, force: bool = False) -> int:
    """Run a Monte Carlo experiment, then write tables and plots and print the attainment."""
    from sim.experiment import RunConfig, run_experiment
    from sim.store import StoreError

    assert isinstance(cfg, RunConfig)
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    out = out or Path("runs") / sc.meta.id
    try:
        from sim.levers import lever_values

        lever_values(sc, cfg.levers)
    except (KeyError, ValueError) as exc:
        print(f"--set: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not force:
        from sim import preflight
        from sim.experiment import full_keys, stored_keys

        series = len(full_keys(sc) if cfg.store == "full" else stored_keys(sc))
        if (problem := preflight.problem(sc, workers=cfg.workers, backend=cfg.backend,
                                         reps=max(cfg.reps, cfg.max_reps if cfg.precision
                                                  else 0),
                                         stored_series=series, out=out)) is not None:
            print(f"{path}: {problem}", file=sys.stderr)
            return EXIT_BAD_INPUT
    with _progress(sc.meta.id, lang) as progress, _terminate_as_interrupt():
        try:
            run_experiment(sc, out, cfg, progress=progress, scenario_file=str(path))
        except KeyboardInterrupt:
            print(msg("interrupted", lang, out=out,
                      command=f"python run_sim.py run {path} --out {out} --resume"),
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        except StoreError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_BAD_INPUT
        except OSError as exc:  # disk full, quota, a folder gone: finished parts are kept
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
                raise
            print(f"{out}: {exc.strerror} while writing {exc.filename or 'the run'}; finished "
                  "parts are kept: add --resume to continue when there is room",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
    return summarize_run(out, lang, sc)


def run_folder_problem(run_dir: Path) -> str | None:
    """Why a run folder may not be read or written into (a link inside it), else None."""
    from sim.store import RunStore

    links = RunStore(run_dir).symlinks()
    if links:
        return (f"{links[0]}: a link inside a run folder (nothing is read or written through "
                "links; expected a plain file or folder)")
    return None


def unfinished_note(run_dir: Path, lang: str) -> str | None:
    """A line saying that a run is unfinished and how to finish it (None when complete)."""
    from sim.store import RunStore

    store = RunStore(run_dir)
    m = store.read_manifest()
    if m.get("status") == "complete":
        return None
    done = len(store.done_chunks()) * int(m.get("chunk_size", 1))
    total = m.get("reps_requested", "?")
    return msg("run_unfinished", lang, done=done, total=total, run_dir=run_dir)


def summarize_run(run_dir: Path, lang: str, scenario: Scenario | None = None) -> int:
    """Reprint and replot a stored run without simulating.

    ``scenario``: the one that just ran into it, if any (``sim.summary.summarize`` uses it
    when it is the stored one).
    """
    from sim.store import StoreError
    from sim.summary import summarize, write_plots, write_tables

    if not (run_dir / "manifest.json").is_file():
        print(f"{run_dir}: not a run folder (no manifest.json)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if (problem := run_folder_problem(run_dir)) is not None:
        print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        s = summarize(run_dir, scenario)
    except (StoreError, ScenarioError, OSError) as exc:
        print(f"{run_dir}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_tables(s, run_dir, lang)
    write_plots(s, run_dir, lang)
    if (note := unfinished_note(run_dir, lang)) is not None:
        print(note, file=sys.stderr)
    print_attainment(s, lang)
    print(msg("written", lang, files=f"{run_dir}/attainment.csv, summary.json, plots/"))
    # The plots were just drawn in ``lang``: the report inlines them instead of redrawing.
    return report(run_dir, lang, None, summary=s, redraw=False)


def report(run_dir: Path, lang: str, out: Path | None, *, summary: object = None,
           redraw: bool = True) -> int:
    """Write the self-contained HTML report of a run.

    By default RUN_DIR/report.html in Chinese, RUN_DIR/report.en.html in English.
    """
    from sim.report import write_report
    from sim.store import StoreError
    from sim.summary import RunSummary

    if lang not in ("zh", "en"):
        print(f"--lang: {lang!r}: unknown language (expected zh or en)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not (run_dir / "manifest.json").is_file():
        print(f"{run_dir}: not a run folder (no manifest.json)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if (problem := run_folder_problem(run_dir)) is not None:
        print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    assert summary is None or isinstance(summary, RunSummary)
    try:
        path = write_report(run_dir, lang, out, summary=summary, redraw=redraw)
    except (StoreError, ScenarioError, OSError) as exc:
        print(f"{run_dir}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(msg("report_written", lang, path=path))
    return EXIT_OK


def print_attainment(s: object, lang: str) -> None:
    """The closing table: P, interval and median at the date for every target."""
    from rich.table import Table

    from sim.cli.show import threshold_text
    from sim.summary import RunSummary, joint_note

    assert isinstance(s, RunSummary)
    zh = lang == "zh"
    sc = s.scenario
    n = max(ts.n for ts in s.targets.values())
    table = Table(title=f"{sc.meta.name.zh if zh else sc.meta.name.en} — n = {n}")
    for head in ("target", "label", "date", "threshold", "p_met", "ci95", "median", "q05_q95",
                 "evidence"):
        table.add_column(label(TEXT, head, lang), overflow="fold")
    notes = []
    for t in sc.targets:
        ts = s.targets[t.id]
        ev = s.evidence.get(t.id)
        table.add_row(t.id, t.label.zh if zh else t.label.en, str(t.date),
                      f"{threshold_text(t, lang)} [{s.thresholds[t.id]:,.0f}]",
                      f"{ts.p:.1%}", f"[{ts.ci_low:.1%}, {ts.ci_high:.1%}]",
                      f"{ts.median:,.0f}", f"{ts.q05:,.0f} – {ts.q95:,.0f}",
                      ev.grade_name(lang) if ev else "—")
        if ev is not None and ev.sentence(lang):
            notes.append(f"{t.id}: {ev.sentence(lang)}")
    p, lo, hi = s.joint_all
    table.caption = (f"{label(TEXT, 'all_jointly', lang)}: {p:.1%} [{lo:.1%}, {hi:.1%}] "
                     f"({joint_note(sc, lang)})")
    console = Console(highlight=False, width=170)
    console.print(table)
    for line in notes:
        console.print(line)


class _progress:
    """A rich progress bar on a terminal; plain log lines otherwise."""

    def __init__(self, label: str, lang: str = "zh"):
        self.label = label
        self.lang = lang
        self.bar: object = None
        self.task: object = None
        self.last_logged = -1

    def __enter__(self) -> _progress:
        if sys.stdout.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                           TimeRemainingColumn())
            bar.__enter__()
            self.task = bar.add_task(self.label, total=None, rate="")
            self.bar = bar
        self.t0 = __import__("time").perf_counter()
        return self

    def __call__(self, done: int, total: int) -> None:
        if done == 0 and self.last_logged < 0:  # rates count from the first replication
            self.t0 = __import__("time").perf_counter()  # handed out, not from setup
        elapsed = __import__("time").perf_counter() - self.t0
        rate = done / elapsed if elapsed > 0 and done else 0.0
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total,  # type: ignore[attr-defined]
                            rate=f"{rate:.2f} rep/s")
        elif done != self.last_logged:
            if rate > 0:
                print(msg("progress", self.lang, label=self.label, done=done, total=total,
                          rate=rate, left=(total - done) / rate), flush=True)
            else:  # nothing finished yet: no rate to show
                print(msg("progress_started", self.lang, label=self.label, done=done,
                          total=total), flush=True)
            self.last_logged = done

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)  # type: ignore[attr-defined]
