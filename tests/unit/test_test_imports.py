"""Tests share helpers and fixtures through tests/support, never through each other: a test
module imported by another drags its tests' fixtures and names along, and cannot be moved,
split or deleted without breaking files that only wanted a helper."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imports_of(source: str, package: str) -> set[str]:
    """Every module the code of a module in ``package`` imports, in functions too;
    ``from a import b`` counts as ``a`` and ``a.b`` (``b`` may be a module)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, one level up per extra dot
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_check_sees_relative_nested_and_submodule_imports():
    source = ("import tests.integration.test_sync\n"
              "from tests.integration import test_tenancy\n"
              "def helper():\n"
              "    from .test_cart import line_id\n"
              "    from ..conftest import app\n")
    found = imports_of(source, "tests.integration")
    assert {"tests.integration.test_sync", "tests.integration.test_tenancy", "tests.integration.test_cart",
            "tests.conftest"} <= found


def test_no_module_under_tests_imports_a_test_module_or_a_conftest():
    modules = {path: module_of(path) for path in TESTS.rglob("*.py")}
    forbidden = {name for path, name in modules.items()
                 if path.name.startswith("test_") or path.name.endswith("_test.py") or path.name == "conftest.py"}
    assert {"tests.conftest", "tests.integration.test_purchase_flow", "tests.unit.test_test_imports"} <= forbidden
    wrong = sorted(f"{path.relative_to(ROOT)} imports {imported}"
                   for path, name in modules.items()
                   for imported in imports_of(path.read_text(encoding="utf-8"), ".".join(name.split(".")[:-1]))
                   & (forbidden - {name}))
    assert wrong == [], "share it through tests/support instead: " + "; ".join(wrong)
