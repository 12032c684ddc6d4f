"""The house rules no linter checks: the import graph of ``app`` has no cycle, function-level
imports included, and no function in ``app`` is longer than 80 lines."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import grimp

APP = Path(__file__).resolve().parents[2] / "app"
MAX_FUNCTION_LINES = 80


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: every group of modules that import one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in edges[node]:
                    groups.append(sorted(group))
    return groups


def _describe(graph: grimp.ImportGraph, group: list[str]) -> str:
    """The shortest cycle through the group's first module, with the line of each import."""
    first = group[0]
    cycle = min(([first, *graph.find_shortest_chain(importer=successor, imported=first)]
                 for successor in graph.find_modules_directly_imported_by(first)
                 if successor in group), key=len)
    steps = []
    for importer, imported in itertools.pairwise(cycle):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = f" (line {details[0]['line_number']}: {details[0]['line_contents']})" \
            if details else ""
        steps.append(f"    {importer} -> {imported}{where}")
    return f"  {', '.join(group)}:\n" + "\n".join(steps)


def test_the_import_graph_of_app_has_no_cycle():
    # grimp records every import statement, those inside functions and under TYPE_CHECKING
    # included, so a cycle hidden behind a deferred import is found too. A package is its
    # __init__ module: ``from app.plans import services`` is an import of app.plans.services,
    # not of app.plans, so a package importing its own submodules is a cycle only when a
    # submodule imports a name from the package back (``from app import create_app``).
    graph = grimp.build_graph("app", include_external_packages=False)
    edges = {module: set(graph.find_modules_directly_imported_by(module))
             for module in graph.modules}
    cycles = _strongly_connected(edges)
    assert not cycles, "modules that import one another:\n" + "\n".join(
        _describe(graph, group) for group in cycles)


def _long_functions() -> list[str]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        # Applied migrations are history: their schema must not change, so neither do they.
        if "scaffold_template" in path.parts or path.parent == APP / "migrations" / "versions":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"  {path.relative_to(APP.parent)}:{node.lineno} "
                                 f"{node.name} ({length} lines)")
    return found


def test_no_function_in_app_is_longer_than_80_lines():
    offenders = _long_functions()
    assert not offenders, "functions over 80 lines:\n" + "\n".join(offenders)


def test_every_area_hooks_module_is_registered_and_answers_as_the_core(app):
    # An area's hooks.py that the factory forgets would silently add nothing.
    from app import _area_hooks

    found = {".".join(path.relative_to(APP.parent).with_suffix("").parts)
             for path in APP.glob("*/hooks.py")}
    registered = [module.__name__ for module in _area_hooks()]
    assert sorted(registered) == sorted(found) and len(set(registered)) == len(registered)
    manager = app.extensions["koers_plugins"]
    owners = {plugin for plugin, _items in manager.call_each("navigation_items", user=None)}
    assert owners == {"core"}
    assert {plugin for plugin, _check in manager.implementations(
        "transition_guards", plan=None, transition=None, user=None, values={})} == {"core"}
