"""docs/plugins.md keeps up with the contract: every hook has its reference section with the
right signature, no section describes a hook that does not exist, and every slot is listed."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from app.plugins import hookspecs
from app.plugins.manager import hook_names
from app.plugins.ui import SLOTS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
SECTION = re.compile(r"^### `([a-z_]+)`\n\n`([a-z_]+)\(([^)]*)\)", re.M)


def documented_hooks() -> dict[str, list[str]]:
    """hook name -> the argument names of the signature line under its heading."""
    text = DOCS.read_text(encoding="utf-8")
    reference = text[text.index("## Hook reference"):]
    found = {}
    for heading, name, arguments in SECTION.findall(reference):
        assert heading == name, f"the section ### `{heading}` shows the signature of {name}"
        found[name] = [a.split(":")[0].strip() for a in arguments.split(",") if a.strip()]
    return found


def test_every_hook_has_a_section_in_the_plugin_docs():
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in hook_names() if f"### `{name}`" not in text]
    assert missing == [], f"hooks without a '### `name`' section in docs/plugins.md: {missing}"


def test_documented_signatures_match_the_hookspecs():
    documented = documented_hooks()
    assert set(documented) == set(hook_names()), "sections and hookspecs differ"
    for name, arguments in documented.items():
        spec = inspect.signature(getattr(hookspecs, name))
        assert arguments == list(spec.parameters), f"{name}: docs {arguments}, spec {spec}"


def test_every_slot_is_listed_in_the_plugin_docs():
    text = DOCS.read_text(encoding="utf-8")
    for slot, (where, context) in SLOTS.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{slot}` |")),
                   None)
        assert row is not None, f"slot {slot} is not in the slot table of docs/plugins.md"
        assert where in row, f"slot {slot}: the table should say where it is ({where})"
        for key in context:
            assert f"`{key}`" in row, f"slot {slot}: the table should list its context {key}"


def test_every_name_of_the_plugin_api_is_in_the_plugin_docs():
    from app import plugin_api

    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in plugin_api.__all__ if f"`{name}`" not in text]
    assert missing == [], f"app.plugin_api names missing from docs/plugins.md: {missing}"
