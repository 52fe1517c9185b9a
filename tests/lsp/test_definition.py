"""Go to definition over a real server: locals, cells, types, variants, fields, tool
aliases, and names imported from another file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.client import LspClient, position_of

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def app(server: LspClient, workspace: Path) -> tuple[str, str]:
    shutil.copytree(FIXTURES / "project", workspace / "project")
    path = workspace / "project" / "app.lm"
    uri = server.open(path)
    server.diagnostics(uri)
    return uri, path.read_text()


def _definition(server: LspClient, app: tuple[str, str], needle: str, occurrence: int = 1,
                offset: int = 0) -> list[dict[str, Any]]:
    uri, text = app
    line, character = position_of(text, needle, occurrence, offset)
    return server.request("textDocument/definition", server.at(uri, line, character))  # type: ignore[no-any-return]


def _start(location: dict[str, Any]) -> tuple[int, int]:
    start = location["range"]["start"]
    return start["line"], start["character"]


def test_local_variable_and_parameter(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    [found] = _definition(server, app, "print(total,", offset=6)
    assert found["uri"] == uri and _start(found) == position_of(text, "total = area_of")
    [inner] = _definition(server, app, "print(total)", offset=6)
    assert _start(inner) == position_of(text, "total = i")
    [param] = _definition(server, app, "match c", offset=6)
    assert _start(param) == position_of(text, "c: Color")


def test_cell_enum_and_variant(server: LspClient, app: tuple[str, str]) -> None:
    _, text = app
    [cell] = _definition(server, app, "paint(Color")
    assert _start(cell) == position_of(text, "paint(c")
    [enum] = _definition(server, app, "Color.Red")
    assert _start(enum) == position_of(text, "Color\n")
    [variant] = _definition(server, app, "Red)")
    assert _start(variant) == position_of(text, "Red\n")
    [arm] = _definition(server, app, "Green ->")
    assert _start(arm) == position_of(text, "Green\n")


def test_tool_alias(server: LspClient, app: tuple[str, str]) -> None:
    _, text = app
    [tool] = _definition(server, app, "Fetch")
    assert _start(tool) == position_of(text, "Fetch")


def test_across_imports(server: LspClient, app: tuple[str, str], workspace: Path) -> None:
    other = workspace / "project" / "geometry.lm"
    other_text = other.read_text()
    [rect] = _definition(server, app, "Rect(width")
    assert rect["uri"] == other.resolve().as_uri()
    assert _start(rect) == position_of(other_text, "Rect\n")
    [aliased] = _definition(server, app, "area_of(r)")
    assert aliased["uri"] == other.resolve().as_uri()
    assert _start(aliased) == position_of(other_text, "rect_area")
    [in_import] = _definition(server, app, "rect_area as")
    assert _start(in_import) == position_of(other_text, "rect_area")


def test_field_of_a_typed_local_and_named_argument(server: LspClient, app: tuple[str, str],
                                                  workspace: Path) -> None:
    other_text = (workspace / "project" / "geometry.lm").read_text()
    [field] = _definition(server, app, "r.width", offset=2)
    assert _start(field) == position_of(other_text, "width")
    [named] = _definition(server, app, "width: 2.0")
    assert _start(named) == position_of(other_text, "width")


def test_builtin_and_keyword_have_no_definition(server: LspClient, app: tuple[str, str]) -> None:
    assert _definition(server, app, "range(3)") == []
    assert _definition(server, app, "for i") == []


def test_top_level_statements_of_a_script(server: LspClient, workspace: Path) -> None:
    text = "let total = 5\nlet other = 2\nprint(total + other)\n"
    uri = server.open(workspace / "script.lm", text)
    assert server.diagnostics(uri) == []
    [found] = server.request("textDocument/definition", server.at(uri, 2, 7))
    assert _start(found) == (0, 4)


def test_module_path_of_an_import_opens_the_module(server: LspClient, app: tuple[str, str],
                                                   workspace: Path) -> None:
    [module] = _definition(server, app, "geometry:")
    assert module["uri"] == (workspace / "project" / "geometry.lm").resolve().as_uri()
    assert _start(module) == (0, 0)
    uri, text = app
    shown = server.request("textDocument/hover", server.at(uri, *position_of(text, "geometry:")))
    assert "module `geometry`" in shown["contents"]["value"]


def test_named_argument_of_a_cell_goes_to_its_parameter(server: LspClient, workspace: Path) -> None:
    text = "cell scale(n: Int, by: Int = 2) -> Int\n  return n * by\nend\n\ncell main()\n  print(scale(1, by: 3))\nend\n"
    uri = server.open(workspace / "named.lm", text)
    assert server.diagnostics(uri) == []
    [found] = server.request("textDocument/definition", server.at(uri, *position_of(text, "by: 3")))
    assert _start(found) == position_of(text, "by: Int")
    shown = server.request("textDocument/hover", server.at(uri, *position_of(text, "by: 3")))
    assert shown["contents"]["value"] == "```lumen\nparam by: Int\n```"
