"""docs/plugins.md shows which core revision creates which table, as the migrations say."""

from __future__ import annotations

import re

from app.config import PROJECT_HOME
from app.plugins.migrations import core_revisions


def test_plugins_md_lists_the_tables_each_core_revision_creates():
    text = (PROJECT_HOME / "docs" / "plugins.md").read_text(encoding="utf-8")
    table = text.split("<!-- core-revisions:start -->")[1].split("<!-- core-revisions:end -->")[0]
    documented = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            documented[cells[0].strip("`")] = set(re.findall(r"`([a-z_]+)`", cells[1]))
    assert documented == {revision: set(tables) for revision, tables in core_revisions()}
