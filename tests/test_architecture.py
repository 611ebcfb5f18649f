"""What the layer contracts (import-linter, in pyproject.toml) do not say: no import circle
anywhere in bot/, type-only imports included, and no module over 500 lines."""

from __future__ import annotations

from pathlib import Path

import grimp

BOT = Path(__file__).resolve().parents[1] / "bot"
MAX_LINES = 500


def import_cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(imports.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle_through_three_modules() -> None:
    imports = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(imports) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_bot_takes_part_in_an_import_circle() -> None:
    graph = grimp.build_graph("bot", exclude_type_checking_imports=False)
    imports = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert len(imports) > 50, "the import graph of bot/ was not read"
    assert import_cycles(imports) == []


def test_no_module_of_bot_is_over_500_lines() -> None:
    modules = [p for p in BOT.rglob("*.py") if "migrations" not in p.parts]
    assert len(modules) > 50
    long = {
        str(p.relative_to(BOT)): n
        for p in modules
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
