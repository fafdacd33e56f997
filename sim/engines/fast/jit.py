"""Compilation options shared by the kernel's modules."""

from __future__ import annotations

from typing import Any

NO_REFCOUNTS: dict[str, Any] = {"cache": True, "_nrt": False}
"""``njit`` options for code that only reads and writes arrays its caller allocated.

numba wraps array arguments and locals in atomic reference counts that it cannot always
remove inside loops; in the event loop they took about a third of the run time. Compiled with
``_nrt=False`` a function has none, and numba refuses at compile time anything that would
allocate (``NRT required but not enabled``), so the rule is checked, not just stated.
"""
