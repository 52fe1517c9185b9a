"""Rename over a real server: locals stay in their scope, declarations are renamed in
every open document and in the declaring file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.lsp.client import LspClient, position_of

FIXTURES = Path(__file__).parent / "fixtures"
PROGRAM = """cell double(n: Int) -> Int
  return n * 2
end

cell main()
  let n = double(2)
  print("n is {n}", double(n))
end
"""


def _apply(text: str, edits: list[dict[str, Any]]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                       reverse=True):
        start, end = edit["range"]["start"], edit["range"]["end"]
        assert start["line"] == end["line"]
        row = lines[start["line"]]
        lines[start["line"]] = row[: start["character"]] + edit["newText"] + row[end["character"]:]
    return "\n".join(lines)


def _rename(server: LspClient, uri: str, line: int, character: int, name: str) -> dict[str, Any] | None:
    params = server.at(uri, line, character)
    params["newName"] = name
    return server.request("textDocument/rename", params)  # type: ignore[no-any-return]


def test_local_rename_keeps_other_scopes(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "rename.lm", PROGRAM)
    server.diagnostics(uri)
    edit = _rename(server, uri, *position_of(PROGRAM, "n = double"), "count")
    assert edit is not None
    renamed = _apply(PROGRAM, edit["changes"][uri])
    assert "let count = double(2)" in renamed
    assert 'print("n is {count}", double(count))' in renamed
    assert "cell double(n: Int) -> Int\n  return n * 2" in renamed


def test_prepare_rename_and_refusals(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "rename2.lm", PROGRAM)
    server.diagnostics(uri)
    prepared = server.request("textDocument/prepareRename", server.at(uri, *position_of(PROGRAM, "double(2)")))
    line, character = position_of(PROGRAM, "double(2)")
    assert prepared == {"start": {"line": line, "character": character},
                        "end": {"line": line, "character": character + len("double")}}
    assert server.request("textDocument/prepareRename", server.at(uri, *position_of(PROGRAM, "print"))) is None
    assert _rename(server, uri, *position_of(PROGRAM, "double(2)"), "not a name") is None


def test_imported_cell_renamed_in_both_files(server: LspClient, workspace: Path) -> None:
    shutil.copytree(FIXTURES / "project", workspace / "project")
    app = workspace / "project" / "app.lm"
    geometry = workspace / "project" / "geometry.lm"
    uri = server.open(app)
    server.diagnostics(uri)
    edit = _rename(server, uri, *position_of(app.read_text(), "rect_area"), "surface")
    assert edit is not None
    changes = edit["changes"]
    assert set(changes) == {uri, geometry.resolve().as_uri()}
    assert "import geometry: Rect, surface as area_of" in _apply(app.read_text(), changes[uri])
    assert "cell surface(r: Rect) -> Float" in _apply(geometry.read_text(),
                                                      changes[geometry.resolve().as_uri()])
