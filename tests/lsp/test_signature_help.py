"""Signature help over a real server: the parameters of the cell, builtin or record being
called, with the active parameter, while the call is still unclosed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lumen.lsp.features.signature_help import OpenCall, open_call
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
    assert open_call('f(a, "x, (y", ') == OpenCall("f", None, 2)
    assert open_call("f(a, [1, 2, ") == OpenCall("f", None, 1)  # in a list: f's second argument
    assert open_call("g(x) # h(\nk(1, ") == OpenCall("k", None, 1)
    assert open_call("obj.method(") == OpenCall("method", "obj", 0)
    assert open_call('"a b".split(') == OpenCall("split", "", 0)


def test_methods_variants_and_builtins_called_on_a_receiver(server: LspClient,
                                                           workspace: Path) -> None:
    program = PROGRAM.replace("record Point", """enum Shape
  Circle(r: Float)
  Rect(w: Float, h: Float)

  cell grow(self, by: Float) -> Shape
    return self
  end
end

record Point""")
    uri = server.open(workspace / "sig4.lm", program)
    assert server.diagnostics(uri) == []
    variant = _help_in(server, uri, program, "  let s = Shape.Rect(1.0, ")
    assert variant is not None
    assert variant["signatures"][0]["label"] == "Rect(w: Float, h: Float)"
    assert variant["activeParameter"] == 1
    # `s` must be known from a version that parsed before the call is typed
    known = program.replace("  print(1)", "  let s = Shape.Circle(1.0)\n  print(s)")
    server.change(uri, known, version=1000)
    assert server.diagnostics(uri, version=1000) == []
    method = _help_in(server, uri, known, "  let t = s.grow(", "  print(s)")
    assert method is not None
    assert method["signatures"][0]["label"] == "grow(by: Float) -> Shape"
    builtin = _help_in(server, uri, program, '  let parts = "a b".split(')
    assert builtin is not None
    assert builtin["signatures"][0]["label"].startswith("split(")
    assert builtin["activeParameter"] == 1  # the receiver is the first argument


def _help_in(server: LspClient, uri: str, program: str, typed: str,
             replacing: str = "  print(1)") -> dict[str, Any] | None:
    text = program.replace(replacing, typed)
    server.change(uri, text, version=len(text))
    lines = text.split("\n")
    last = typed.split("\n")[-1]
    line = lines.index(last)
    return server.request("textDocument/signatureHelp",  # type: ignore[no-any-return]
                          server.at(uri, line, len(last)))
