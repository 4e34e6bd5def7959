"""The layers of docs/architecture.md, checked: a module imports only from its own package or
from a package in a lower layer, so no import runs up a layer and no two packages import each
other. Function-local imports count too (hiding an import in a function hides nothing here)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "backend"

# From the bottom. A package may use its own modules and any package of a lower layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("residents", "audit", "db", "platform"),
    ("apitokens", "notices", "evidence", "consent"),
    ("auth",),
    ("credit",),
    ("passes", "commitments", "keygroups"),
    ("partners", "repairs", "objections", "population"),
    ("office", "cases", "family"),
    ("jointcases",),
    ("rights", "programme"),
    ("demo",),
    ("app",),
    ("cli",),
)
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def package_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_packages(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, package) for every import of a backend package in one module."""
    rel = path.relative_to(root)
    here = ["backend", *rel.parts[:-1]]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                names = [".".join([*base, *([node.module] if node.module else [])])]
                if not node.module:
                    names = [".".join([*base, alias.name]) for alias in node.names]
            elif node.module:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "backend" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return sorted(found)


def violations() -> list[str]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = package_of(path)
        if source == "__init__":
            continue
        for line, target in imported_packages(path):
            if target == source:
                continue
            if target not in LAYER_OF or source not in LAYER_OF:
                out.append(f"{path.relative_to(ROOT)}:{line}: {source} → {target} (no layer)")
            elif LAYER_OF[target] >= LAYER_OF[source]:
                out.append(f"{path.relative_to(ROOT)}:{line}: {source} → {target} runs up")
    return out


def test_no_import_runs_up_a_layer() -> None:
    assert violations() == []


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"migrations"}
    modules = {p.stem for p in ROOT.glob("*.py")} - {"__init__"}
    assert packages | modules <= set(LAYER_OF), sorted((packages | modules) - set(LAYER_OF))


def test_the_check_reports_an_upward_import(tmp_path: Path) -> None:
    """The checker itself: a core module importing a feature, relatively or absolutely, and
    a function-local import are all seen."""
    module = tmp_path / "core" / "example.py"
    module.parent.mkdir()
    module.write_text(
        "from ..auth import sessions\nimport backend.credit.service\n"
        "def late():\n    from ..passes.service import check\n",
        "utf-8",
    )
    assert imported_packages(module, root=tmp_path) == [(1, "auth"), (2, "credit"), (4, "passes")]
