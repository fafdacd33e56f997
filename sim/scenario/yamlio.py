"""Safe YAML reading that remembers where every value came from, and ``include:`` merging.

Values are built from PyYAML's node tree with the safe constructor (no Python object tags), and
each path (``("carriers", 0, "total_area", "value")``) is mapped to the file and line it was
written on, so that schema errors can name both.

Include rule (documented in scenarios/README.md): a file may start with ``include: [a.yaml,
b.yaml]`` (paths relative to that file). Included files are read first, in order; each later
one is merged over the earlier ones, and the including file is merged over all of them.
Merging is deep for mappings; a list or a scalar replaces what was there; ``null`` deletes
the key. Cycles and missing files are errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim import PROJECT_ROOT
from sim.scenario.errors import Problem, ScenarioError

PathKey = tuple[Any, ...]
LineMap = dict[PathKey, tuple[str, int]]


def _display(path: Path) -> str:
    """A path as the user would recognise it (relative to the working directory if possible)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


_PLAIN_TAGS = {"mapping": "tag:yaml.org,2002:map", "sequence": "tag:yaml.org,2002:seq"}


def _scalar(node: Node, loader: yaml.SafeLoader, path: PathKey, file: str) -> Any:
    """Construct one scalar; a value YAML recognises but cannot build (2024-13-01) is a problem."""
    try:
        return loader.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        unknown = "could not determine a constructor" in (exc.problem or "")
        raise ScenarioError([Problem(
            file, node.start_mark.line + 1, _dotted(path),
            node.tag.replace("tag:yaml.org,2002:", "!!") if unknown else node.value,
            "YAML tag not allowed" if unknown else f"cannot read this value: {exc.problem}",
            "plain YAML without tags (no Python objects)")]) from None
    except (ValueError, OverflowError) as exc:
        expected = ("a real calendar date YYYY-MM-DD"
                    if node.tag == "tag:yaml.org,2002:timestamp" else "a readable value")
        raise ScenarioError([Problem(file, node.start_mark.line + 1, _dotted(path), node.value,
                                     f"cannot read this value: {exc}", expected)]) from None


MAX_VALUES = 200_000
"""Values one file may expand to (anchors and aliases repeat values: an alias bomb stops here)."""
MAX_DEPTH = 64
"""Nesting depth of one file (scenarios nest about 8 deep)."""
MAX_BYTES = 8_000_000
"""Size of one scenario file (the largest shipped one is about 0.1 MB)."""
MAX_INCLUDES = 200
"""Files read, counting repeats, for one scenario (a fan-out of includes stops here)."""


def _build(node: Node, loader: yaml.SafeLoader, path: PathKey, file: str, lines: LineMap,
           _open: frozenset[int] = frozenset(), budget: list[int] | None = None) -> Any:
    """Turn a node into plain Python data, recording the line of every path.

    Only plain mappings, lists and safe scalars are accepted: a tag such as
    ``!!python/object/apply`` on a list or mapping, or an alias inside itself, is a problem.
    """
    line = node.start_mark.line + 1
    budget = [0] if budget is None else budget
    budget[0] += 1
    if budget[0] > MAX_VALUES:
        raise ScenarioError([Problem(file, line, _dotted(path), "...",
                                     f"the file expands to more than {MAX_VALUES:,} values "
                                     "(anchors and aliases repeated?)",
                                     "a scenario of plain values")])
    if len(path) > MAX_DEPTH:
        raise ScenarioError([Problem(file, line, _dotted(path[:4]) + ".…", "...",
                                     f"nested deeper than {MAX_DEPTH} levels",
                                     "a scenario nested a few levels deep")])
    plain = (_PLAIN_TAGS["mapping"] if isinstance(node, MappingNode) else
             _PLAIN_TAGS["sequence"] if isinstance(node, SequenceNode) else node.tag)
    if node.tag != plain:
        raise ScenarioError([Problem(file, line, _dotted(path),
                                     node.tag.replace("tag:yaml.org,2002:", "!!"),
                                     "YAML tag not allowed",
                                     "plain YAML without tags (no Python objects)")])
    if id(node) in _open:
        raise ScenarioError([Problem(file, line, _dotted(path), "*alias",
                                     "an alias refers to the value that contains it",
                                     "anchors and aliases without cycles")])
    _open = _open | {id(node)}
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError([Problem(file, key_node.start_mark.line + 1, _dotted(path),
                                             "<<", "YAML merge keys are not supported",
                                             "plain keys, or include: for shared parts")])
            if isinstance(key_node, ScalarNode):
                key = _scalar(key_node, loader, path, file)
            else:
                key = "[...]" if isinstance(key_node, SequenceNode) else "{...}"
            if not isinstance(key_node, ScalarNode) or not isinstance(
                    key, str | int | float | bool) or key is None:
                raise ScenarioError([Problem(file, key_node.start_mark.line + 1, _dotted(path),
                                             key, "mapping key is not a plain value",
                                             "a name")])
            if key in out:
                raise ScenarioError([Problem(file, key_node.start_mark.line + 1,
                                             _dotted((*path, key)), key, "duplicate key",
                                             "each key once per mapping")])
            child = (*path, key)
            lines[child] = (file, key_node.start_mark.line + 1)
            out[key] = _build(value_node, loader, child, file, lines, _open, budget)
        return out
    if isinstance(node, SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = (*path, i)
            lines[child] = (file, item.start_mark.line + 1)
            items.append(_build(item, loader, child, file, lines, _open, budget))
        return items
    assert isinstance(node, ScalarNode)
    return _scalar(node, loader, path, file)


def _dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path) or "(document)"


_OPENED_AT = ("while parsing a flow", "while scanning a quoted", "while scanning a simple key")
"""YAML error contexts whose start (not where the parser gave up) is the mistake."""


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    """Read one YAML file safely; return its data and the line of every path."""
    file = _display(path)
    try:
        if path.exists() and not path.is_file():
            raise ScenarioError([Problem(file, None, "(file)", str(path), "not a regular file",
                                         "a scenario YAML file")])
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ScenarioError([Problem(file, None, "(file)", str(path),
                                         f"larger than {MAX_BYTES:,} bytes",
                                         "a scenario file of a few hundred kB at most")])
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(file, None, "(file)", str(path), "file not found",
                                     "an existing scenario file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(file, None, "(file)", str(path), f"cannot read: {exc}",
                                     "a readable UTF-8 text file")]) from None
    lines: LineMap = {}
    try:
        loader = yaml.SafeLoader(text)  # the reader refuses control characters here
    except yaml.reader.ReaderError as exc:
        at = text.count("\n", 0, exc.position) + 1
        char = exc.character
        shown = f"U+{char:04X}" if isinstance(char, int) else f"U+{ord(char):04X}"
        raise ScenarioError([Problem(file, at, "(file)", f"character {shown}",
                                     "a character YAML cannot hold (a control or binary byte)",
                                     "printable UTF-8 text")]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([Problem(file, 1, "(document)", "", "the file is empty",
                                         "a YAML mapping with meta, firms, ... sections")])
        data = _build(node, loader, (), file, lines)
        lines[()] = (file, node.start_mark.line + 1)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (exc.context or "").startswith(_OPENED_AT):
            mark = exc.context_mark  # an unclosed bracket or quote: point at where it opened
        line = mark.line + 1 if mark is not None else None
        snippet = text.splitlines()[line - 1].strip() if line and line <= len(
            text.splitlines()) else ""
        problem = (exc.problem or "malformed YAML").strip()
        if exc.context:
            problem = f"{exc.context.strip()}; {problem}"
        raise ScenarioError([Problem(file, line, "(yaml)", snippet, f"malformed YAML: {problem}",
                                     "valid YAML without Python object tags")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, None, "(yaml)", "", f"malformed YAML: {exc}",
                                     "valid YAML")]) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, "(yaml)", "", "nested too deeply to read",
                                     f"a scenario nested at most {MAX_DEPTH} levels")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, 1, "(document)", data,
                                     "the top level is not a mapping",
                                     "a mapping with meta, firms, ... sections")])
    return data, lines


class Replace(list[Any]):
    """A list written ``{replace: [...]}``: it replaces the included list instead of merging."""


def _unwrap(node: Any, path: PathKey, moves: dict[PathKey, PathKey]) -> Any:
    """``{replace: [...]}`` -> ``Replace``; item flags ``replace: true`` kept for the merge.

    ``moves`` collects line-map prefixes to rewrite (``key.replace.i`` -> ``key.i``).
    """
    if isinstance(node, dict):
        if set(node) == {"replace"} and isinstance(node["replace"], list):
            moves[(*path, "replace")] = path
            return Replace(_unwrap(v, (*path, i), moves) for i, v in enumerate(node["replace"]))
        return {k: _unwrap(v, (*path, k), moves) for k, v in node.items()}
    if isinstance(node, list):
        return [_unwrap(v, (*path, i), moves) for i, v in enumerate(node)]
    return node


def unwrap_layer(data: Any, lines: LineMap) -> tuple[Any, LineMap]:
    """One file's data with its ``{replace: [...]}`` lists marked, and its lines to match."""
    moves: dict[PathKey, PathKey] = {}
    out = _unwrap(data, (), moves)
    if not moves:
        return out, lines
    fixed: LineMap = {}
    for p, loc in lines.items():
        for old, new in moves.items():
            if p[:len(old)] == old:
                p = (*new, *p[len(old):])
        fixed[p] = loc
    return out, fixed


def finish(node: Any) -> Any:
    """The merged data as plain lists, without the merge flags of list items."""
    if isinstance(node, dict):
        return {k: finish(v) for k, v in node.items()}
    if isinstance(node, list):
        return [finish({k: v for k, v in x.items() if k != "replace"}
                       if isinstance(x, dict) and x.get("replace") is True else x)
                for x in node if not (isinstance(x, dict) and x.get("remove") is True)]
    return node


Remap = dict[tuple[str, PathKey, int], int | None]
"""Where list items merged by id went: (side "base"/"over", list path, index) -> new index."""


def _by_id(items: Any) -> bool:
    """A list whose every item is a mapping with an ``id``, no id twice (merged item by item).

    A list with a repeated id replaces instead, so that validation reports the repeat.
    """
    if not isinstance(items, list) or not all(isinstance(x, dict) and "id" in x for x in items):
        return False
    ids = [str(x["id"]) for x in items]
    return len(set(ids)) == len(ids)


def _merge(base: Any, over: Any, path: PathKey, replaced: set[PathKey], remap: Remap) -> Any:
    """Deep-merge ``over`` onto ``base`` (scenarios/README.md, "Includes and overrides").

    Mappings merge key by key; lists whose items all carry an ``id`` merge item by item (an
    item with a known id merges into it where it stands, ``remove: true`` drops it, new ids are
    appended in order); anything else replaces. Paths whose whole subtree was replaced or
    deleted are added to ``replaced``; ``remap`` records where id-merged items went.
    """
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            child = (*path, key)
            if value is None:
                out.pop(key, None)
                replaced.add(child)
            elif isinstance(value, dict):  # a null inside deletes, also in a new mapping
                prior = out.get(key)
                if not isinstance(prior, dict) or (
                        "dist" in value and prior.get("dist") != value["dist"]):
                    # a distribution of another kind replaces the old one whole
                    out[key] = {}
                    replaced.add(child)
                out[key] = _merge(out[key], value, child, replaced, remap)
            elif (_by_id(value) and not isinstance(value, Replace) and value
                  and _by_id(out.get(key)) and out.get(key)):
                out[key] = _merge_by_id(out[key], value, child, replaced, remap)
            else:
                out[key] = value
                replaced.add(child)
        return out
    replaced.add(path)
    return over


def _merge_by_id(base: list[Any], over: list[Any], path: PathKey, replaced: set[PathKey],
                 remap: Remap) -> list[Any]:
    """Merge two lists of items with ids, item by item (see ``_merge``)."""
    slots: list[tuple[str, int, Any]] = [("base", i, item) for i, item in enumerate(base)]
    where = {item["id"]: k for k, item in enumerate(base)}
    over_slot: dict[int, int] = {}
    for j, item in enumerate(over):
        k = where.get(item["id"])
        if item.get("remove") is True:
            if k is not None:
                slots[k] = (slots[k][0], slots[k][1], None)
            continue
        if k is None:
            where[item["id"]] = over_slot[j] = len(slots)
            slots.append(("over", j, item))
        elif item.get("replace") is True:
            side, old, _ = slots[k]
            slots[k] = (side, old, {key: v for key, v in item.items() if key != "replace"})
            replaced.add((*path, k))
            over_slot[j] = k
        else:
            side, old, current = slots[k]
            slots[k] = (side, old, _merge(current, item, (*path, k), replaced, remap))
            over_slot[j] = k
    new_index: dict[int, int] = {}
    out: list[Any] = []
    for k, (_, _, item) in enumerate(slots):
        if item is not None:
            new_index[k] = len(out)
            out.append(item)
    for k, (side, old, _) in enumerate(slots):
        if side == "base":
            remap[("base", path, old)] = new_index.get(k)
    for j, k in over_slot.items():
        remap[("over", path, j)] = new_index.get(k)
    n = len(path)  # replaced paths inside this list were recorded by slot: renumber them
    for p in [p for p in replaced if len(p) > n and p[:n] == path and isinstance(p[n], int)]:
        replaced.discard(p)
        if p[n] in new_index:
            replaced.add((*path, new_index[p[n]], *p[n + 1:]))
    return out


def _moved(p: PathKey, side: str, remap: Remap) -> PathKey | None:
    """A line-map path after id-merged list items moved (None: the item was removed)."""
    out = list(p)
    for k in range(len(out) - 1):
        if isinstance(out[k + 1], int) and (side, tuple(out[:k + 1]), out[k + 1]) in remap:
            new = remap[(side, tuple(out[:k + 1]), out[k + 1])]
            if new is None:
                return None
            out[k + 1] = new
    return tuple(out)


def merge_layers(base: Any, base_lines: LineMap, over: Any,
                 over_lines: LineMap) -> tuple[Any, LineMap]:
    """Merge one layer over another, keeping each path's line from the layer that won."""
    replaced: set[PathKey] = set()
    remap: Remap = {}
    merged = _merge(base, over, (), replaced, remap)
    lines: LineMap = {}
    for p, loc in base_lines.items():
        moved = _moved(p, "base", remap)
        if moved is not None and not any(moved[:k] in replaced
                                         for k in range(1, len(moved) + 1)):
            lines[moved] = loc
    for p, loc in over_lines.items():
        moved = _moved(p, "over", remap)
        if moved is not None:
            lines[moved] = loc
    return merged, lines


def load_with_includes(path: Path, skip: Path | None = None) -> tuple[dict[str, Any], LineMap]:
    """Read a scenario file and everything it includes, merged by the documented rule.

    ``skip`` leaves one file out wherever it is included, however deep (a parameter file
    being refitted).
    """
    data, lines = _load_layers(path, (), skip, [0])
    return finish(data), lines


def _scenario_tree(folder: Path) -> Path:
    """The tree a scenario may include from.

    The folder holding its ``scenarios/`` folder if it lies in one (a copy of the project's
    layout), else its own folder.
    """
    for parent in (folder, *folder.parents):
        if parent.name == "scenarios":
            return parent.parent
    return folder


def _include_problem(target: Path, chain: tuple[Path, ...]) -> tuple[str, str] | None:
    """Why an include may not be read: not YAML, outside the allowed trees, a symlink loop.

    An included file is a ``.yaml``/``.yml`` file inside the project or inside the tree of
    the scenario that started the chain (so ``/etc/...`` or ``/proc/...`` are never read).
    """
    if target.suffix.lower() not in (".yaml", ".yml"):
        return ("not a YAML file", "an included .yaml file")
    try:
        resolved = target.resolve(strict=False)
    except (OSError, RuntimeError):
        return ("the path cannot be resolved (a symlink loop?)", "a plain path to a .yaml file")
    top = _scenario_tree((chain[0] if chain else resolved).parent)
    if not (resolved.is_relative_to(PROJECT_ROOT) or resolved.is_relative_to(top)):
        return (f"outside the project and the scenario's folder ({resolved})",
                "a file inside the project or beside the scenario")
    return None


def _load_layers(path: Path, _stack: tuple[Path, ...], skip: Path | None,
                 reads: list[int]) -> tuple[dict[str, Any], LineMap]:
    """``load_with_includes`` before the merge flags are removed (``reads``: files so far)."""
    real = path.resolve()
    reads[0] += 1
    if reads[0] > MAX_INCLUDES:
        raise ScenarioError([Problem(_display(path), None, "include", str(path),
                                     f"more than {MAX_INCLUDES} files read through includes "
                                     "(a file included many times over?)",
                                     "a handful of included files")])
    data, lines = read_yaml(path)
    data, lines = unwrap_layer(data, lines)
    includes = data.pop("include", None)
    if includes is None:
        return data, lines
    file = _display(path)
    if isinstance(includes, str):
        includes = [includes]
        lines[("include", 0)] = lines.get(("include",), (file, 1))
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ScenarioError([Problem(file, lines.get(("include",), (file, None))[1], "include",
                                     includes, "include must be a file name or a list of them",
                                     "include: [other.yaml, ...]")])
    merged: dict[str, Any] = {}
    merged_lines: LineMap = {}
    for i, name in enumerate(includes):
        target = (path.parent / name)
        line = lines.get(("include", i), (file, None))[1]
        if (problem := _include_problem(target, (*_stack, real))) is not None:
            raise ScenarioError([Problem(file, line, f"include.{i}", name, problem[0],
                                         problem[1])])
        resolved = target.resolve()  # _include_problem caught a path that cannot resolve
        if resolved in (*_stack, real):
            chain = " -> ".join(_display(p) for p in (*_stack, real, resolved))
            raise ScenarioError([Problem(file, line, f"include.{i}", name,
                                         f"include cycle: {chain}", "no file including itself")])
        if not target.is_file():
            raise ScenarioError([Problem(file, line, f"include.{i}", name,
                                         f"included file not found ({_display(target)})",
                                         "a path relative to the including file")])
        if skip is not None and resolved == skip.resolve():
            continue
        inc_data, inc_lines = _load_layers(target, (*_stack, real), skip, reads)
        merged, merged_lines = merge_layers(merged, merged_lines, inc_data, inc_lines)
    own_lines = {p: loc for p, loc in lines.items() if not p or p[0] != "include"}
    return merge_layers(merged, merged_lines, data, own_lines)
