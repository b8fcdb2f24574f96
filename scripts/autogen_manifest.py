"""Regenerate ``src/accord/compat/_autogen_manifest.json`` from AutoGen 0.7.5's wheels.

Usage (AutoGen installed in a scratch virtualenv outside the project, never a dependency of accord)::

    python3 -m venv /tmp/ag-venv
    /tmp/ag-venv/bin/pip install --no-deps autogen-core==0.7.5 autogen-agentchat==0.7.5 autogen-ext==0.7.5
    python3 scripts/autogen_manifest.py /tmp/ag-venv/lib/python3.*/site-packages

The manifest lists every module of the three wheels and the names each defines: classes, functions, module-level
assignments and the names it re-exports from AutoGen's own packages (stdlib and third-party imports are not
AutoGen's names). It is read statically (``ast``), so no SDK needs to be installed. The ``excluded`` section of the
existing file (names or modules accord does not serve, with the reason) is kept as it is.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOTS = ("autogen_core", "autogen_agentchat", "autogen_ext")
OUT = Path(__file__).resolve().parents[1] / "src" / "accord" / "compat" / "_autogen_manifest.json"


def _module_name(path: Path, site: Path) -> str:
    parts = list(path.relative_to(site).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _targets(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for elt in target.elts for n in _targets(elt)]
    return []


def names_of(module: str, is_package: bool, tree: ast.Module) -> list[str]:
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    names.update(_targets(target))
            elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
                if not isinstance(node, ast.AnnAssign) or node.value is not None:
                    names.add(node.target.id)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(module, is_package, node)
                if source.split(".")[0] in ROOTS:
                    for alias in node.names:
                        if alias.name != "*":
                            names.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in ROOTS and alias.asname:
                        names.add(alias.asname)
            elif isinstance(node, ast.If):
                if _is_type_checking(node.test):
                    visit(node.orelse)
                else:
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return sorted(n for n in names if not (n.startswith("__") and n.endswith("__")) or n == "__version__")


def main(site_dir: str) -> None:
    site = Path(site_dir)
    modules: dict[str, list[str]] = {}
    for root in ROOTS:
        for path in sorted((site / root).rglob("*.py")):
            name = _module_name(path, site)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            modules[name] = names_of(name, path.name == "__init__.py", tree)
    old = json.loads(OUT.read_text()) if OUT.exists() else {}
    data = {
        "autogen_version": "0.7.5",
        "generated_by": "scripts/autogen_manifest.py (static read of the autogen-core, autogen-agentchat and "
        "autogen-ext 0.7.5 wheels)",
        "modules": dict(sorted(modules.items())),
        "excluded": old.get("excluded", {}),
    }
    OUT.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    print(f"{len(modules)} modules, {sum(map(len, modules.values()))} names -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
