"""Layers: every import statement of src/jiqun (also those inside functions) respects jiqun.layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jiqun.layers import (BACKEND_PACKAGES, CLI_PACKAGE, FORBIDDEN_IN_BACKEND, LAYERS, in_package, layer_of,
                          layers_markdown)

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "jiqun"


def module_name(path: Path) -> tuple[str, bool]:
    """(dotted module name, whether it is a package's ``__init__``) of a file under src/."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def all_modules() -> dict[str, tuple[Path, bool]]:
    """Every module of src/jiqun: name -> (file, is a package)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name, is_package = module_name(path)
        found[name] = (path, is_package)
    return found


def imports_of(source: str, module: str, is_package: bool, known: set[str]) -> list[tuple[int, str]]:
    """(line, imported jiqun module) of every import statement of ``source`` anywhere in it.

    Relative imports are resolved against ``module``; ``from P import N`` names the module ``P.N`` when
    that is a module in ``known``, else ``P`` itself (N is an attribute of P).
    """
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level > len(package):
                    raise ValueError(f"{module} line {node.lineno}: relative import above the top package")
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append((node.lineno, target if target in known else base))
    return sorted((line, name) for line, name in found if name == "jiqun" or name.startswith("jiqun."))


def violations(source: str, module: str, is_package: bool, known: set[str], where: str) -> list[str]:
    """Every import of ``source`` that breaks a layer rule, as 'FILE:LINE: MODULE imports TARGET (why)'."""
    problems = []
    own = layer_of(module)
    for line, target in imports_of(source, module, is_package, known):
        why = []
        if in_package(target, CLI_PACKAGE) and not in_package(module, CLI_PACKAGE):
            why.append("only the CLI imports jiqun.cli")
        if any(in_package(module, p) for p in BACKEND_PACKAGES) and any(
                in_package(target, p) for p in FORBIDDEN_IN_BACKEND):
            why.append("store and schema import no loader, catalogue or analytics")
        theirs = layer_of(target)
        if own is None:
            why.append("the importing module has no layer in jiqun.layers.LAYERS")
        elif theirs is None:
            why.append("the imported module has no layer in jiqun.layers.LAYERS")
        elif theirs > own:
            why.append(f"layer {LAYERS[own][0]} imports the higher layer {LAYERS[theirs][0]}")
        if why:
            problems.append(f"{where}:{line}: {module} imports {target} ({'; '.join(why)})")
    return problems


KNOWN = set(all_modules())


def test_every_module_has_a_layer():
    assert [name for name in KNOWN if layer_of(name) is None] == []


def test_no_module_imports_a_layer_above_its_own():
    problems = []
    for name, (path, is_package) in all_modules().items():
        problems += violations(path.read_text(encoding="utf-8"), name, is_package, KNOWN,
                               str(path.relative_to(SRC.parent)))
    assert not problems, "imports against the layers (see docs/architecture.md):\n" + "\n".join(problems)


def test_the_checker_finds_upward_imports():
    source = (
        "from ..schema import TABLES\n"          # line 1: a lower layer, allowed
        "from .. import settings\n"              # line 2: a foundation module, allowed
        "def write():\n"
        "    from ..cli.base import CLI_NOTES\n"  # line 4: the CLI, inside a function
        "    import jiqun.metrics.compute\n"      # line 5: analytics from the store
        "from .. import __version__\n"           # line 6: the facade jiqun/__init__ (api layer)
    )
    known = KNOWN | {"jiqun.store.bad"}
    found = violations(source, "jiqun.store.bad", False, known, "src/jiqun/store/bad.py")
    assert [problem.split(":")[1] for problem in found] == ["4", "5", "6"]
    assert found[0].startswith("src/jiqun/store/bad.py:4: jiqun.store.bad imports jiqun.cli.base (only the CLI")
    assert "store and schema import no loader" in found[1] and "higher layer metrics" in found[1]
    assert found[2].endswith("imports jiqun (layer store imports the higher layer api)")


def test_the_checker_resolves_relative_imports():
    source = "from . import base\nfrom .base import app\nfrom ..demo import run\nfrom ...x import y\n"
    with pytest.raises(ValueError, match="above the top package"):
        imports_of(source, "jiqun.cli", True, KNOWN)
    lines = imports_of(source.rsplit("from ...", 1)[0], "jiqun.cli", True, KNOWN)
    assert lines == [(1, "jiqun.cli.base"), (2, "jiqun.cli.base"), (3, "jiqun.demo.run")]
    assert imports_of("from ..demo import run\n", "jiqun.cli.demo", False, KNOWN) == [(1, "jiqun.demo.run")]
    assert violations("from ..demo import run\n", "jiqun.cli.demo", False, KNOWN, "x") == []
    assert violations("from .cli import app\n", "jiqun.docs", False, KNOWN, "x") != []


def test_layer_of_takes_the_longest_entry():
    assert layer_of("jiqun.ingest.template") > layer_of("jiqun.ingest.load")
    assert layer_of("jiqun") == layer_of("jiqun.session") > layer_of("jiqun.demo.run")
    assert layer_of("jiqun.schema.vocab") == 0 and layer_of("jiqunx") is None


def test_architecture_page_shows_the_layer_table():
    page = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert layers_markdown() in page, "docs/architecture.md must show jiqun.layers.layers_markdown()"
    assert "## The indicator engine" in page
    assert "docs/architecture.md" in (SRC.parent / "README.md").read_text(encoding="utf-8")


def test_no_test_hooks_in_production_code():
    """Tests reach the library through its API (or wrap its functions); no source reads a test switch."""
    hooks = [f"{path.relative_to(SRC.parent)}:{number}" for path in PACKAGE.rglob("*.py")
             for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "JIQUN_TEST" in text or "PYTEST_CURRENT_TEST" in text]
    assert hooks == []


def test_region_constants_defined_once():
    """The nation's and the home province's codes are written only in jiqun.schema.vocab."""
    from jiqun.schema.vocab import ANALYSED_REGION_LEVELS, HOME_PROVINCE_CODE, NATION_CODE

    literals = []
    for path in PACKAGE.rglob("*.py"):
        name, _ = module_name(path)
        if name == "jiqun.schema.vocab":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in (NATION_CODE, HOME_PROVINCE_CODE):
                literals.append(f"{path.relative_to(SRC.parent)}:{node.lineno}: {node.value!r}")
    assert literals == []
    assert set(ANALYSED_REGION_LEVELS) == {"city", "province"}
