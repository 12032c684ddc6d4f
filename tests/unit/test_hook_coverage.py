"""Every hook of the contract has a test that exercises it through a test plugin."""

from __future__ import annotations

import ast
from pathlib import Path

from app.plugins.manager import hook_names

TESTS = Path(__file__).resolve().parents[1]


def collect_test_names() -> set[str]:
    names = set()
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {node.name for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    return names


def test_every_hook_has_a_test():
    names = collect_test_names()
    untested = [hook for hook in hook_names()
                if not any(f"hook_{hook}" in name for name in names)]
    assert untested == [], f"hooks without a test named test_…hook_<name>…: {untested}"


def test_hook_names_come_from_the_hookspecs():
    assert {"declare_settings", "register_blueprints", "navigation_items",
            "template_slot"} <= set(hook_names())
