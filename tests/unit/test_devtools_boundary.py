"""app/ never depends on devtools/: only the commands that run the tooling import it, inside
the command, so the shop starts (gunicorn, workers) without it."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"app/cli/demo.py"}


def _devtools_imports(path: Path) -> list[tuple[int, bool]]:
    """(line, inside a function) of every import of devtools in one module."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            names = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and not child.level:
                names = [child.module or ""]
            if any(name == "devtools" or name.startswith("devtools.") for name in names):
                found.append((child.lineno, in_function))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_app_imports_devtools_only_inside_the_commands_that_run_it():
    offending, lazy = [], []
    for path in sorted((ROOT / "app").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        for line, in_function in _devtools_imports(path):
            (lazy if in_function and name in ALLOWED else offending).append(f"{name}:{line}")
    assert offending == []
    assert len(lazy) == 3  # seed-demo, seed-orders, payment-simulators
