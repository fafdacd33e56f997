"""Compilation options shared by the compiled code of both engines.

The kernel is one event loop calling one handler per event kind, and the handlers call small
helpers. All of them are compiled by numba function by function and joined by LLVM, which
inlines every function marked ``forceinline`` into its caller (LLVM's ``alwaysinline``): the
machine code is that of one long loop, while numba types and lowers each function once.
numba's own inlining (``inline="always"``) gave the same speed but copied a callee's IR at
every call site, nested handlers within handlers, and took most of a first compile (the
measurements: docs/fast-engine.md's decision log).
"""

from __future__ import annotations

from typing import Any

NO_WRAPPERS: dict[str, Any] = {"no_cpython_wrapper": True, "no_cfunc_wrapper": True}
"""For functions only compiled code calls: no wrapper to call them from Python.

A wrapper unboxes every argument from Python objects; for functions that take the kernel's
inputs (about 105 arrays) it was as large as the function, and half of a first compile.
"""

NO_REFCOUNTS: dict[str, Any] = {"cache": True, "_nrt": False}
"""``njit`` options for code that only reads and writes arrays its caller allocated.

numba wraps array arguments and locals in atomic reference counts that it cannot always
remove inside loops; in the event loop they took about a third of the run time. Compiled with
``_nrt=False`` a function has none, and numba refuses at compile time anything that would
allocate (``NRT required but not enabled``), so the rule is checked, not just stated.
"""

INTERNAL_NO_REFCOUNTS: dict[str, Any] = {**NO_REFCOUNTS, **NO_WRAPPERS}
"""``NO_REFCOUNTS`` for functions only the kernel calls (the event loop, the record queries)."""

INLINED: dict[str, Any] = {"cache": True, "forceinline": True, **NO_WRAPPERS}
"""For the kernel's handlers and helpers: inlined by LLVM into their caller, no wrapper."""

SHARED_INLINED: dict[str, Any] = {"cache": True, "forceinline": True}
"""For model functions both engines call (``sim.model``): inlined into the kernel by LLVM, and
callable from Python by the reference engine."""
