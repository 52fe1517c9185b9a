"""Signature help over a real server: the parameters of the cell, builtin or record being
called, with the active parameter, while the call is still unclosed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lumen.lsp.features.signature_help import open_call
from tests.lsp.client import LspClient

PROGRAM = """record Point
  x: Int
  y: Int
end

cell scale(p: Point, by: Int = 2) -> Point
  return Point(x: p.x * by, y: p.y * by)
end

cell main()
  print(1)
end
"""


def _help(server: LspClient, uri: str, typed_line: str) -> dict[str, Any] | None:
    text = PROGRAM.replace("  print(1)", typed_line)
    server.change(uri, text, version=len(typed_line))
    line = text.split("\n").index(typed_line)
    return server.request("textDocument/signatureHelp",  # type: ignore[no-any-return]
                          server.at(uri, line, len(typed_line)))


def test_cell_parameters_and_active_one(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "sig.lm", PROGRAM)
    first = _help(server, uri, "  let q = scale(")
    assert first is not None
    [signature] = first["signatures"]
    assert signature["label"] == "scale(p: Point, by: Int = 2) -> Point"
    assert [p["label"] for p in signature["parameters"]] == ["p: Point", "by: Int = 2"]
    assert first["activeParameter"] == 0
    second = _help(server, uri, "  let q = scale(Point(x: 1, y: 2), ")
    assert second is not None and second["activeParameter"] == 1


def test_record_and_builtin(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "sig2.lm", PROGRAM)
    record = _help(server, uri, "  let p = Point(x: 1, ")
    assert record is not None
    assert record["signatures"][0]["label"] == "Point(x: Int, y: Int)"
    assert record["activeParameter"] == 1
    builtin = _help(server, uri, '  let parts = split("a,b", ')
    assert builtin is not None
    assert builtin["signatures"][0]["label"].startswith("split(")
    assert builtin["activeParameter"] == 1


def test_outside_a_call_there_is_none(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "sig3.lm", PROGRAM)
    assert _help(server, uri, "  let z = scale(Point(x: 1, y: 2)) ") is None


def test_open_call_skips_strings_comments_and_literals() -> None:
    assert open_call('f(a, "x, (y", ') == ("f", 2)
    assert open_call("f(a, [1, 2, ") == ("f", 1)  # inside a list: still the second argument
    assert open_call("g(x) # h(\nk(1, ") == ("k", 1)
    assert open_call("obj.method(") == ("method", 0)
