"""Inlay hints over a real server: inferred `let` types and parameter names."""

from __future__ import annotations

from pathlib import Path

from tests.lsp.client import LspClient, position_of

PROGRAM = """cell area(width: Float, height: Float) -> Float
  return width * height
end

cell main()
  let size = area(2.0, 3.0)
  let count: Int = 3
  let height = 4.0
  let words = split("a b", " ")
  print(area(1.0, height))
end
"""


def test_let_types_and_parameter_names(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "hints.lm", PROGRAM)
    assert server.diagnostics(uri) == []
    hints = server.request("textDocument/inlayHint", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}}})
    found = {(h["position"]["line"], h["position"]["character"]): h["label"] for h in hints}
    size = position_of(PROGRAM, "size")
    assert found[(size[0], size[1] + 4)] == ": Float"
    words = position_of(PROGRAM, "words")
    assert found[(words[0], words[1] + 5)] == ": list[String]"
    assert found[position_of(PROGRAM, "2.0")] == "width:"
    assert found[position_of(PROGRAM, "3.0")] == "height:"
    assert found[position_of(PROGRAM, '"a b"')] == "s:"
    assert found[position_of(PROGRAM, "1.0")] == "width:"
    # a declared type, and an argument named like its parameter, get no hint
    count = position_of(PROGRAM, "count")
    assert (count[0], count[1] + 5) not in found
    assert position_of(PROGRAM, "height))") not in found
    kinds = {h["kind"] for h in hints}
    assert kinds == {1, 2}


def test_hints_only_in_the_requested_range(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "hints2.lm", PROGRAM)
    server.diagnostics(uri)
    hints = server.request("textDocument/inlayHint", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 30}}})
    assert {h["label"] for h in hints} == {"width:"}
