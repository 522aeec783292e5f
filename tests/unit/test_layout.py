"""Each service reads like its architecture (docs/architecture.md): checked on the source, not by eye.

- the package root holds only the composition root, the settings and the four layers;
- `domain/` imports no I/O or framework library;
- outside `adapters/`, `entrypoints/` and `bootstrap.py` nothing imports a driver or client
  (sqlalchemy, asyncpg, nats, aiosmtplib, httpx): the service layer talks to ports (Protocols);
- dependencies point inward: nothing outside `entrypoints/` (and `bootstrap.py`) imports `entrypoints`;
- no import cycle inside a service.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {name: ROOT / "services" / name / "src" / name for name in ("intake", "kpi", "notifier", "web")}
ROOT_ENTRIES = {
    "__init__.py",
    "__main__.py",
    "bootstrap.py",
    "settings.py",
    "settings",  # settings.py grown into a package of groups (the notifier)
    "py.typed",
    "domain",
    "service_layer",
    "adapters",
    "entrypoints",
    "__pycache__",
}
DRIVERS = {"sqlalchemy", "asyncpg", "nats", "aiosmtplib", "httpx"}
IMPURE = DRIVERS | {
    "faststream",
    "fastapi",
    "starlette",
    "jinja2",
    "openpyxl",
    "xlsxwriter",
    "prometheus_client",
    "structlog",
    "uvicorn",
}


def modules(package: Path) -> Iterator[Path]:
    yield from (p for p in package.rglob("*.py") if "migrations" not in p.parts)


def imported(path: Path) -> set[str]:
    """Every module name this file imports (absolute, dotted), wherever the import statement is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def tops(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def layer(package: Path, path: Path) -> str:
    return path.relative_to(package).parts[0]


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_package_root_holds_only_the_layers(service: str) -> None:
    extra = {p.name for p in SERVICES[service].iterdir()} - ROOT_ENTRIES
    assert extra == set(), f"{service}: move {sorted(extra)} into a layer"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_domain_imports_no_io(service: str) -> None:
    package = SERVICES[service]
    found = {
        str(p.relative_to(ROOT)): sorted(tops(imported(p)) & IMPURE)
        for p in modules(package / "domain")
        if tops(imported(p)) & IMPURE
    }
    assert found == {}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_only_adapters_and_entrypoints_import_drivers(service: str) -> None:
    package = SERVICES[service]
    found = {
        str(p.relative_to(ROOT))
        for p in modules(package)
        if layer(package, p) not in {"adapters", "entrypoints", "bootstrap.py"}
        and tops(imported(p)) & DRIVERS
    }
    assert found == set(), "a driver import outside adapters/, entrypoints/ and bootstrap.py"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_dependencies_point_inward(service: str) -> None:
    package = SERVICES[service]
    found = {
        str(p.relative_to(ROOT))
        for p in modules(package)
        if layer(package, p) not in {"entrypoints", "bootstrap.py", "__main__.py"}
        and any(n.startswith(f"{service}.entrypoints") for n in imported(p))
    }
    assert found == set()


def module_name(package: Path, path: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_import_cycle(service: str) -> None:
    package = SERVICES[service]
    names = {module_name(package, p): p for p in modules(package)}
    graph = {name: {n for n in imported(path) if n in names and n != name} for name, path in names.items()}
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None
