"""Completion over a real server: keywords, locals, cells, types, builtins with
signatures, and members after `.` (also while the line being typed does not parse)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.client import LspClient, position_of

FIXTURES = Path(__file__).parent / "fixtures"
VARIABLE, FUNCTION, FIELD, ENUM_MEMBER, KEYWORD, STRUCT = 6, 3, 5, 20, 14, 22


@pytest.fixture(scope="module")
def app(server: LspClient, workspace: Path) -> tuple[str, str]:
    shutil.copytree(FIXTURES / "project", workspace / "project")
    path = workspace / "project" / "app.lm"
    uri = server.open(path)
    assert server.diagnostics(uri, version=1) == []
    return uri, path.read_text()


def _complete(server: LspClient, uri: str, line: int, character: int) -> dict[str, dict[str, Any]]:
    result = server.request("textDocument/completion", server.at(uri, line, character))
    items = result["items"] if isinstance(result, dict) else result
    return {item["label"]: item for item in items}


def test_names_in_scope(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    line, _ = position_of(text, "print(total)")
    items = _complete(server, uri, line, 4)
    assert items["total"]["kind"] == VARIABLE and items["total"]["detail"] == "Int"
    assert items["i"]["kind"] == VARIABLE
    assert items["r"]["detail"] == "Rect"
    assert items["paint"]["kind"] == FUNCTION
    assert items["paint"]["detail"] == "cell paint(c: Color) -> String"
    assert items["area_of"]["detail"] == "cell rect_area(r: Rect) -> Float"
    assert items["Rect"]["kind"] == STRUCT
    assert items["Red"]["kind"] == ENUM_MEMBER
    assert items["len"]["detail"] == "len(value) -> Int"
    assert items["match"]["kind"] == KEYWORD and "end" in items
    assert "c" not in items  # the parameter of another cell


def test_fields_after_dot_while_typing(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    edited = text.replace("  print(total, r.width", "  print(r.\n  print(total, r.width")
    server.change(uri, edited, version=2)
    assert server.diagnostics(uri, version=2)  # the half-typed line does not parse
    line, character = position_of(edited, "r.\n", offset=2)
    items = _complete(server, uri, line, character)
    assert {name: item["kind"] for name, item in items.items()} == {"width": FIELD, "height": FIELD}
    assert items["width"]["detail"] == "Float"


def test_variants_after_enum_name(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    edited = text.replace("  print(total, r.width", "  let x = Color.\n  print(total, r.width")
    server.change(uri, edited, version=3)
    server.diagnostics(uri, version=3)
    line, character = position_of(edited, "Color.\n", offset=6)
    assert set(_complete(server, uri, line, character)) == {"Red", "Green"}


def test_unknown_receiver_offers_nothing(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    edited = text.replace("  print(total, r.width", "  print(nothing.\n  print(total, r.width")
    server.change(uri, edited, version=4)
    server.diagnostics(uri, version=4)
    line, character = position_of(edited, "nothing.\n", offset=8)
    assert _complete(server, uri, line, character) == {}


def test_variants_at_the_start_of_a_match_arm(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    edited = text.replace('    Green -> return "green"\n', '    Green -> return "green"\n    Gr\n')
    server.change(uri, edited, version=5)
    server.diagnostics(uri, version=5)
    line, character = position_of(edited, "    Gr\n", offset=6)
    assert set(_complete(server, uri, line, character)) == {"Red", "Green", "_"}


def test_module_paths_and_exported_names_in_imports(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    edited = "import \n" + text
    server.change(uri, edited, version=6)
    server.diagnostics(uri, version=6)
    modules = _complete(server, uri, 0, len("import "))
    assert {"geometry", "std.strings"} <= set(modules) and "app" not in modules
    edited = "import geometry: Rect, \n" + text
    server.change(uri, edited, version=7)
    server.diagnostics(uri, version=7)
    names = _complete(server, uri, 0, len("import geometry: Rect, "))
    assert set(names) == {"Rect", "rect_area"}


def test_methods_of_self_in_an_agent(server: LspClient, workspace: Path) -> None:
    text = ("agent Counter\n  cell start() -> Int\n    return 0\n  end\n\n"
            "  cell next(n: Int) -> Int\n    return n + 1\n  end\nend\n")
    uri = server.open(workspace / "agent.lm", text)
    assert server.diagnostics(uri, version=1) == []
    edited = text.replace("    return n + 1\n", "    return n + 1\n    self.\n")
    server.change(uri, edited, version=2)
    server.diagnostics(uri, version=2)
    line, character = position_of(edited, "self.\n", offset=5)
    items = _complete(server, uri, line, character)
    assert set(items) == {"start", "next"}
    assert items["next"]["detail"] == "cell next(n: Int) -> Int"


def test_nothing_inside_strings_and_comments(server: LspClient, workspace: Path) -> None:
    text = 'cell main()\n  print("r.\n  # r.\nend\n'
    uri = server.open(workspace / "quiet.lm", text)
    server.diagnostics(uri)
    assert _complete(server, uri, 1, len('  print("r.')) == {}
    assert _complete(server, uri, 2, len("  # r.")) == {}


def test_arm_bodies_still_offer_every_name(server: LspClient, app: tuple[str, str]) -> None:
    uri, text = app
    edited = text.replace('    Red -> return "red"\n', '    Red ->\n      pri\n')
    server.change(uri, edited, version=8)
    server.diagnostics(uri, version=8)
    line, character = position_of(edited, "      pri\n", offset=9)
    items = _complete(server, uri, line, character)
    assert "print" in items and "c" in items
