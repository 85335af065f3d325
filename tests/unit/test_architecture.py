"""The house's shape (docs/architecture.md), checked on the code itself.

Every import in app/ counts, those inside functions too. `make lint` runs import-linter's
layers contract (pyproject.toml) on top of these: which layer may import which.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """{module: the app modules it imports}, a ``from pkg import name`` pointing at the
    submodule when ``name`` is one, else at the package."""
    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            for target in targets:
                resolved = resolve(target)
                if resolved and resolved != module:
                    graph[module].add(resolved)
    return graph


def _cycles(nodes, graph) -> list[set[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
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
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def _is_blueprint_idiom(component: set[str], graph) -> bool:
    """A package that defines ``bp`` and imports its view modules, which import ``bp``
    back: allowed, as long as that is the only loop (without the package, no cycle)."""
    packages = [m for m in component if _modules()[m].name == "__init__.py"]
    if len(packages) != 1:
        return False
    package = packages[0]
    views = component - {package}
    rest = {m: graph[m] & views for m in views}
    return all(m.rpartition(".")[0] == package for m in views) and _cycles(sorted(views), rest) == []


def test_no_module_in_an_import_cycle_but_the_blueprint_idiom():
    modules = _modules()
    graph = _imports(modules)
    cycles = [sorted(c) for c in _cycles(sorted(modules), graph) if not _is_blueprint_idiom(c, graph)]
    assert cycles == []


def test_no_package_in_an_import_cycle():
    graph = _imports(_modules())
    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        for target in targets:
            a, b = ".".join(module.split(".")[:2]), ".".join(target.split(".")[:2])
            if a != b:
                packages[a].add(b)
    assert _cycles(sorted(packages), packages) == []


def test_the_checker_sees_cycles_through_imports_inside_functions(tmp_path):
    (tmp_path / "a.py").write_text("from pkg import b\n")
    (tmp_path / "b.py").write_text("def later():\n    from pkg.a import thing\n")
    (tmp_path / "c.py").write_text("import pkg.a\n")
    modules = {f"pkg.{name}": tmp_path / f"{name}.py" for name in "abc"}
    graph = _imports(modules)
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.a"}}
    assert _cycles(sorted(modules), graph) == [{"pkg.a", "pkg.b"}]


def test_no_python_file_in_app_over_400_lines():
    long = {path.relative_to(ROOT).as_posix(): n for path in APP.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
