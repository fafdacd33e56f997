"""How the command line starts and ends: any console, one-line usage errors, exit codes.

* Consoles that cannot show a character (a GBK console on Chinese Windows shows no '²' or
  '—'; an ASCII one no Chinese) get a replacement character instead of a traceback.
* A usage error (unknown option, bad value, missing argument) is one line naming the option
  and the value, exit 2, instead of a framed box over several lines.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer

try:  # typer 0.2x carries its own copy of click; older versions use click itself
    from typer._click import exceptions as cx
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as cx  # type: ignore[no-redef]

EXIT_USAGE = 2


def tolerant_consoles() -> None:
    """Replace what the console's encoding cannot show (stdout and stderr) instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _hint(exc: cx.BadParameter) -> str:
    param = exc.param
    if param is not None and getattr(param, "opts", None):
        opts = [o for o in param.opts if o.startswith("-")]
        return opts[0] if opts else str(param.name or "argument").upper()
    if exc.param_hint:
        hint = exc.param_hint
        return " / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint)
    return "argument"


def usage_line(exc: cx.ClickException) -> str:
    """One line for a usage error: what was wrong, and where to read the command's options."""
    if isinstance(exc, cx.BadParameter) and not isinstance(exc, cx.MissingParameter):
        text = f"{_hint(exc)}: {exc.message}"
    else:
        text = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    where = f" (options: {ctx.command_path} --help)" if ctx is not None else ""
    return " ".join(text.split()) + where


def bilingual_help(command: Any) -> Any:
    """Every option and argument help of ``command`` (and its sub-commands) as "中文 · English"."""
    from sim.messages import HELP_ZH

    names = {key.replace("\\[", "["): zh for key, zh in HELP_ZH.items()}
    for param in getattr(command, "params", []):
        text = getattr(param, "help", None)
        zh = names.get(text.replace("\\[", "[")) if text else None
        if zh is not None:
            param.help = f"{zh} · {text}"
    for sub in getattr(command, "commands", {}).values():
        bilingual_help(sub)
    return command


def run_app(app: typer.Typer, args: list[str] | None = None) -> NoReturn:
    """Run the typer app and exit with its code; usage errors are one line (exit 2)."""
    tolerant_consoles()
    command = bilingual_help(typer.main.get_command(app))
    try:
        code: Any = command.main(args=args, prog_name="run_sim.py", standalone_mode=False)
    except cx.NoArgsIsHelpError:  # `run_sim.py` alone: typer has printed the full help
        raise SystemExit(EXIT_USAGE) from None
    except cx.UsageError as exc:
        print(usage_line(exc), file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    except cx.ClickException as exc:
        print(" ".join(exc.format_message().split()), file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)
