"""Document symbols and folding ranges over a real server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.client import LspClient

FIXTURES = Path(__file__).parent / "fixtures"
# LSP SymbolKind numbers
FUNCTION, METHOD, STRUCT, ENUM, CLASS, INTERFACE, CONSTANT, ENUM_MEMBER, FIELD, TYPE_PARAMETER = (
    12, 6, 23, 10, 5, 11, 14, 22, 8, 26)


@pytest.fixture(scope="module")
def outline(server: LspClient, workspace: Path) -> tuple[str, list[dict[str, Any]]]:
    path = workspace / "outline.lm"
    shutil.copy(FIXTURES / "outline.lm", path)
    uri = server.open(path)
    server.diagnostics(uri)
    return uri, server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})


def _by_name(symbols: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in symbols}


def test_top_level_kinds(outline: tuple[str, list[dict[str, Any]]]) -> None:
    kinds = {name: s["kind"] for name, s in _by_name(outline[1]).items()}
    assert kinds == {"Point": STRUCT, "Shape": ENUM, "Name": TYPE_PARAMETER, "LIMIT": CONSTANT,
                     "Log": INTERFACE, "Helper": CLASS, "area": FUNCTION, "main": FUNCTION}


def test_children_of_records_enums_agents(outline: tuple[str, list[dict[str, Any]]]) -> None:
    symbols = _by_name(outline[1])
    assert [(c["name"], c["kind"]) for c in symbols["Point"]["children"]] == [
        ("x", FIELD), ("y", FIELD)]
    assert [(c["name"], c["kind"]) for c in symbols["Shape"]["children"]] == [
        ("Circle", ENUM_MEMBER), ("Square", ENUM_MEMBER), ("describe", METHOD)]
    assert [c["name"] for c in symbols["Helper"]["children"]] == ["greet"]
    assert [c["name"] for c in symbols["Log"]["children"]] == ["write"]


def test_ranges_and_selection(outline: tuple[str, list[dict[str, Any]]]) -> None:
    area = _by_name(outline[1])["area"]
    assert area["range"]["start"] == {"line": 31, "character": 0}
    assert area["range"]["end"]["line"] == 36
    assert area["selectionRange"] == {"start": {"line": 31, "character": 5},
                                      "end": {"line": 31, "character": 9}}
    assert area["detail"] == "(s: Shape) -> Float"


def test_folding_every_end_block_and_doc_block(server: LspClient,
                                               outline: tuple[str, list[dict[str, Any]]]) -> None:
    ranges = server.request("textDocument/foldingRange", {"textDocument": {"uri": outline[0]}})
    spans = {(r["startLine"], r["endLine"]) for r in ranges}
    assert (0, 2) in spans  # the ``` doc block
    assert (3, 5) in spans  # record Point ... end
    assert (31, 35) in spans  # cell area
    assert (32, 34) in spans  # match ... end
    assert (39, 42) in spans and (40, 41) in spans  # for, if


def test_markdown_outline_and_fences(server: LspClient, workspace: Path) -> None:
    path = workspace / "outline.lm.md"
    shutil.copy(FIXTURES / "outline.lm.md", path)
    uri = server.open(path)
    assert server.diagnostics(uri) == []
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [(s["name"], s["range"]["start"]["line"]) for s in symbols] == [("first", 5), ("Pair", 13)]
    ranges = server.request("textDocument/foldingRange", {"textDocument": {"uri": uri}})
    spans = {(r["startLine"], r["endLine"]) for r in ranges}
    assert {(4, 8), (12, 17), (5, 6), (13, 15)} <= spans


def test_outline_survives_a_syntax_error(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "typing.lm", "cell f() -> Int\n  return 1\nend\n")
    server.diagnostics(uri, version=1)
    server.change(uri, "cell f() -> Int\n  return (\nend\n", version=2)
    assert server.diagnostics(uri, version=2)
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [s["name"] for s in symbols] == ["f"]
