"""While a line does not parse, hover, definition and highlights still answer on the
unchanged lines, from the last version that parsed, with ranges moved to the new lines."""

from __future__ import annotations

from pathlib import Path

from lumen.lsp.stale import LineShift
from tests.lsp.client import LspClient, position_of

PROGRAM = """cell double(n: Int) -> Int
  return n * 2
end

cell main()
  let total = double(2)
  print(total)
end
"""
# Two lines inserted above `main`, one of them half typed: nothing parses.
EDITED = PROGRAM.replace("cell main()", "cell broken(\n\ncell main()")


def test_answers_on_unchanged_lines_with_moved_ranges(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "stale.lm", PROGRAM)
    assert server.diagnostics(uri, version=1) == []
    server.change(uri, EDITED, version=2)
    assert server.diagnostics(uri, version=2)
    at_use = server.at(uri, *position_of(EDITED, "total)"))
    shown = server.request("textDocument/hover", at_use)
    assert shown["contents"]["value"] == "```lumen\nlet total: Int\n```"
    [found] = server.request("textDocument/definition", at_use)
    line, character = position_of(EDITED, "total = double")
    assert found["range"]["start"] == {"line": line, "character": character}
    highlights = server.request("textDocument/documentHighlight",
                                server.at(uri, *position_of(EDITED, "double(2)")))
    assert sorted(h["range"]["start"]["line"] for h in highlights) == [0, line]


def test_nothing_on_a_changed_line(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "stale2.lm", PROGRAM)
    assert server.diagnostics(uri, version=1) == []
    server.change(uri, EDITED, version=2)
    server.diagnostics(uri, version=2)
    line, _ = position_of(EDITED, "cell broken(")
    assert server.request("textDocument/hover", server.at(uri, line, 6)) is None


def test_line_shift_maps_equal_lines_only() -> None:
    shift = LineShift.between(["a", "b", "c"], ["a", "x", "b", "c"])
    assert shift.to_new == {0: 0, 1: 2, 2: 3}
    assert shift.to_old == {0: 0, 2: 1, 3: 2}


def test_outline_and_folds_move_with_inserted_lines(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "stale3.lm", PROGRAM)
    assert server.diagnostics(uri, version=1) == []
    server.change(uri, EDITED, version=2)
    server.diagnostics(uri, version=2)
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    main_line = position_of(EDITED, "cell main()")[0]
    assert [(s["name"], s["range"]["start"]["line"]) for s in symbols] == [("double", 0),
                                                                          ("main", main_line)]
    folds = server.request("textDocument/foldingRange", {"textDocument": {"uri": uri}})
    assert {(f["startLine"], f["endLine"]) for f in folds} == {(0, 1), (main_line, main_line + 2)}


def test_semantic_tokens_keep_their_kinds(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "stale4.lm", PROGRAM)
    assert server.diagnostics(uri, version=1) == []
    server.change(uri, EDITED, version=2)
    server.diagnostics(uri, version=2)
    data = server.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})["data"]
    legend = server.initialize_result["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"]
    lines = EDITED.split("\n")
    found, line, character = {}, 0, 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, _ = data[index:index + 5]
        line += delta_line
        character = character + delta_start if delta_line == 0 else delta_start
        found[(line, character)] = (lines[line][character:character + length], legend[kind])
    assert found[position_of(EDITED, "n * 2")] == ("n", "parameter")
    assert found[position_of(EDITED, "total)")] == ("total", "variable")
    assert found[position_of(EDITED, "double(2)")] == ("double", "function")
