"""The import contracts of the layout (README "Map of the code"), checked on the source.

Every import counts, also one inside a function: a cycle hidden that way is still a cycle (one was,
between accounts.admin and accounts.password_reset). The layers point down: dash_app -> models ->
matching. Inside models, `core`, `orm` and `audit` are the foundation every area may use; an area
imports no other area (`demo` may import every area: it fills the whole county). Inside dash_app, a
page (a module that registers a route with `page(...)`) imports no other page, and an area's
modules import no other area's; what pages share lives in dash_app.ui.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("matching", "models", "dash_app")
FOUNDATION = {"core", "orm", "audit"}
THIRD_PARTY_WEB = {"dash", "dash_bootstrap_components", "flask", "flask_login", "flask_babel", "flask_limiter",
                   "werkzeug", "plotly", "celery", "redis", "diskcache", "cachelib"}


@cache
def modules() -> dict[str, Path]:
    found = {}
    for top in PACKAGES:
        for path in (ROOT / top).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _raw_imports(name: str, path: Path) -> set[str]:
    """Dotted names this module imports anywhere in its body (relative imports resolved)."""
    mods, out = modules(), set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in mods]
            out.update(subs)
            if len(subs) < len(node.names):
                out.add(base)
    return out


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module -> the project modules it imports (the nearest existing module of each dotted name)."""
    mods, result = modules(), {}
    for name, path in mods.items():
        deps = set()
        for dotted in _raw_imports(name, path):
            while dotted and dotted not in mods:
                dotted = dotted.rpartition(".")[0]
            if dotted and dotted != name:
                deps.add(dotted)
        result[name] = frozenset(deps)
    return result


def third_party(name: str) -> set[str]:
    return {d.split(".")[0] for d in _raw_imports(name, modules()[name])}


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    g, index, low, stack, on, found, counter = graph(), {}, {}, [], set(), [], [0]
    for start in g:
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def _models_area(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "models" and len(parts) > 2 else None


def _pages_area(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if parts[:2] == ["dash_app", "pages"] and len(parts) > 3 else None


def is_page(name: str) -> bool:
    if not name.startswith("dash_app.pages."):
        return False
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    return any(isinstance(d, ast.Call) and getattr(d.func, "id", None) == "page"
               for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) for d in node.decorator_list)


def test_the_contract_sees_the_code():
    """Guards against a test that passes because it looks at nothing."""
    g = graph()
    assert "models.core.permissions" in g["dash_app.auth"]
    assert "matching" in g["models.runs.lifecycle"] or any(d.startswith("matching") for d in g["models.runs.lifecycle"])
    assert sum(is_page(m) for m in g) >= 15


def test_no_import_cycles():
    assert cycles() == []


def test_layers_point_down():
    wrong = []
    for name, deps in graph().items():
        top = name.split(".")[0]
        allowed = {"matching": {"matching"}, "models": {"models", "matching"},
                   "dash_app": {"dash_app", "models", "matching"}}[top]
        wrong += [(name, d) for d in deps if d.split(".")[0] not in allowed]
        if top in ("matching", "models"):
            wrong += [(name, lib) for lib in third_party(name) & (THIRD_PARTY_WEB | {"bench", "tests"})]
        if top == "matching":
            wrong += [(name, lib) for lib in third_party(name) & {"sqlalchemy", "alembic", "psycopg"}]
        if top == "dash_app":
            wrong += [(name, lib) for lib in third_party(name) & {"bench", "tests"}]
    assert wrong == []


def test_model_areas_meet_only_in_the_foundation():
    wrong = []
    for name, deps in graph().items():
        area = _models_area(name)
        if area is None or area == "demo":
            continue
        for dep in deps:
            other = _models_area(dep)
            if other is None or other == area:
                continue
            if area in FOUNDATION and other not in FOUNDATION:
                wrong.append((name, dep))          # the foundation never reaches up into an area
            elif area not in FOUNDATION and other not in FOUNDATION:
                wrong.append((name, dep))          # areas meet only through the foundation
        if area == "orm":
            wrong += [(name, d) for d in deps if d.startswith("models.") and not
                      (d.startswith("models.orm") or d == "models.core.enums")]
    assert wrong == []


def test_pages_never_import_pages_nor_other_areas():
    wrong = []
    for name, deps in graph().items():
        area = _pages_area(name)
        if area is None:
            continue
        for dep in deps:
            if is_page(dep):
                wrong.append((name, dep))
            elif _pages_area(dep) not in (None, area):
                wrong.append((name, dep))
    assert wrong == []


@pytest.mark.parametrize("folder", ["models", "dash_app", "matching"])
def test_benchmarks_are_not_installed(folder):
    assert not [p for p in (ROOT / folder).rglob("*bench*.py")]
    assert not (ROOT / folder / "loadtest.py").exists()
