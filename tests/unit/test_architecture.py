"""Architecture rules that keep the plugin contract honest.

- Plugins (in-repo distributions under plugins/ and the test plugins) import from Koers only
  ``app.plugin_api``; everything else in ``app`` is internal.
- The core never imports a plugin (nor the tests).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_FOLDERS = [*ROOT.glob("plugins/*"), *(p for p in (ROOT / "tests" / "plugins").iterdir()
                                            if p.is_dir())]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "app":  # from app import plugin_api, database
                found += [(node.lineno, f"app.{alias.name}") for alias in node.names]
            else:
                found += [(node.lineno, node.module)]
    return found


def core_imports_outside_the_api(folder: Path) -> list[str]:
    problems = []
    for path in folder.rglob("*.py"):
        for line, module in imported_modules(path):
            if (module == "app" or module.startswith("app.")) and module != "app.plugin_api" \
                    and not (path.parts[-2] == "tests" and module == "app.testing"):
                problems.append(f"{path.relative_to(folder.parent)}:{line} imports {module}")
    return problems


def test_plugins_import_only_the_plugin_api():
    assert PLUGIN_FOLDERS, "no plugins found to check"
    problems = [p for folder in PLUGIN_FOLDERS for p in core_imports_outside_the_api(folder)]
    assert problems == [], "plugins may import only app.plugin_api:\n" + "\n".join(problems)


def test_the_check_catches_a_plugin_reaching_into_the_core(tmp_path):
    (tmp_path / "sneaky.py").write_text("from app.auth.services import create_user\n"
                                        "from app import plugin_api, database\n")
    problems = core_imports_outside_the_api(tmp_path)
    assert len(problems) == 2 and "app.auth.services" in problems[0]


def test_the_core_imports_no_plugin_and_no_test():
    plugin_packages = {p.name for p in PLUGIN_FOLDERS if (p / "__init__.py").exists()}
    plugin_packages |= {child.name for folder in ROOT.glob("plugins/*")
                        for child in folder.iterdir() if (child / "__init__.py").exists()}
    problems = []
    for path in (ROOT / "app").rglob("*.py"):
        for line, module in imported_modules(path):
            top = module.split(".")[0]
            if top == "tests" or top in plugin_packages or top.startswith("koers_"):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert problems == [], "\n".join(problems)
