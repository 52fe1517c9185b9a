"""Hover over a real server: signatures, docstrings, Markdown prose, builtins, locals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.lsp.client import LspClient, position_of

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def app(server: LspClient, workspace: Path) -> tuple[str, str]:
    shutil.copytree(FIXTURES / "project", workspace / "project")
    path = workspace / "project" / "app.lm"
    uri = server.open(path)
    assert server.diagnostics(uri) == []
    return uri, path.read_text()


def _hover(server: LspClient, uri: str, text: str, needle: str, occurrence: int = 1,
           offset: int = 0) -> str | None:
    line, character = position_of(text, needle, occurrence, offset)
    result = server.request("textDocument/hover", server.at(uri, line, character))
    return None if result is None else result["contents"]["value"]


def test_cell_signature_with_inferred_effects(server: LspClient, app: tuple[str, str]) -> None:
    shown = _hover(server, *app, "paint(c")
    assert shown is not None and "cell paint(c: Color) -> String" in shown
    main = _hover(server, *app, "main()")
    assert main is not None and "effects: `{emit}`" in main


def test_imported_record_shows_its_docstring(server: LspClient, app: tuple[str, str]) -> None:
    shown = _hover(server, *app, "Rect(width")
    assert shown is not None
    assert "record Rect" in shown and "width: Float" in shown
    assert "A rectangle, by its two sides." in shown
    assert "geometry.lm" in shown


def test_aliased_import_resolves_to_the_original_cell(server: LspClient, app: tuple[str, str]) -> None:
    shown = _hover(server, *app, "area_of(r)")
    assert shown is not None and "cell rect_area(r: Rect) -> Float" in shown
    assert "The area of a rectangle." in shown


def test_local_types_and_shadowing(server: LspClient, app: tuple[str, str]) -> None:
    assert _hover(server, *app, "total = area_of") == "```lumen\nlet total: Float\n```"
    assert _hover(server, *app, "print(total)", offset=6) == "```lumen\nlet total: Int\n```"
    assert _hover(server, *app, "print(total,", offset=6) == "```lumen\nlet total: Float\n```"
    assert _hover(server, *app, "c: Color") == "```lumen\nparam c: Color\n```"


def test_builtin_variant_and_field(server: LspClient, app: tuple[str, str]) -> None:
    shown = _hover(server, *app, "range(3)")
    assert shown is not None and "builtin range(" in shown and "-> list[Int]" in shown
    assert "Color.Red" in (_hover(server, *app, "Red)") or "")
    assert "Rect.width: Float" in (_hover(server, *app, "width, paint") or "")


def test_markdown_prose_before_the_block(server: LspClient, workspace: Path) -> None:
    path = workspace / "notes.lm.md"
    shutil.copy(FIXTURES / "notes.lm.md", path)
    uri = server.open(path)
    assert server.diagnostics(uri) == []
    text = path.read_text()
    shown = _hover(server, uri, text, "greet(\"Ada")
    assert shown is not None and "cell greet(name: String) -> String" in shown
    assert "Builds the greeting shown to a **user**." in shown
    assert _hover(server, uri, text, "main") is not None


def test_nothing_on_keywords_and_blank(server: LspClient, app: tuple[str, str]) -> None:
    assert _hover(server, *app, "match c") is None
    uri, text = app
    blank_line = position_of(text, "enum Color")[0] - 1
    assert server.request("textDocument/hover", server.at(uri, blank_line, 0)) is None
