"""References and document highlights over a real server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.client import LspClient, position_of

FIXTURES = Path(__file__).parent / "fixtures"
PROGRAM = """cell double(n: Int) -> Int
  # double is not called here
  return n * 2
end

cell main()
  let n = double(2)
  print("double {n}", double(n))
end
"""


@pytest.fixture(scope="module")
def program(server: LspClient, workspace: Path) -> str:
    uri = server.open(workspace / "refs.lm", PROGRAM)
    assert server.diagnostics(uri) == []
    return uri


def _starts(locations: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return sorted((loc["range"]["start"]["line"], loc["range"]["start"]["character"]) for loc in locations)


def _references(server: LspClient, uri: str, line: int, character: int,
                declaration: bool = True) -> list[dict[str, Any]]:
    params = server.at(uri, line, character)
    params["context"] = {"includeDeclaration": declaration}
    return server.request("textDocument/references", params)  # type: ignore[no-any-return]


def test_cell_references_skip_comments_and_strings(server: LspClient, program: str) -> None:
    found = _references(server, program, *position_of(PROGRAM, "double(2)"))
    assert _starts(found) == [position_of(PROGRAM, "double"), position_of(PROGRAM, "double(2)"),
                              position_of(PROGRAM, "double(n)")]
    without = _references(server, program, *position_of(PROGRAM, "double(2)"), declaration=False)
    assert len(without) == 2


def test_locals_with_the_same_name_are_different(server: LspClient, program: str) -> None:
    param_uses = _references(server, program, *position_of(PROGRAM, "n * 2"))
    assert _starts(param_uses) == [position_of(PROGRAM, "n: Int"), position_of(PROGRAM, "n * 2")]
    local_uses = _references(server, program, *position_of(PROGRAM, "n = double"))
    assert _starts(local_uses) == [position_of(PROGRAM, "n = double"), position_of(PROGRAM, "{n}", offset=1),
                                   position_of(PROGRAM, "double(n)", offset=7)]


def test_highlight_marks_the_declaration_as_write(server: LspClient, program: str) -> None:
    found = server.request("textDocument/documentHighlight",
                           server.at(program, *position_of(PROGRAM, "n * 2")))
    kinds = {(h["range"]["start"]["line"], h["range"]["start"]["character"]): h.get("kind") for h in found}
    assert kinds == {position_of(PROGRAM, "n: Int"): 3, position_of(PROGRAM, "n * 2"): 2}


def test_references_in_other_open_documents(server: LspClient, workspace: Path) -> None:
    shutil.copytree(FIXTURES / "project", workspace / "project")
    app = workspace / "project" / "app.lm"
    geometry = workspace / "project" / "geometry.lm"
    app_uri = server.open(app)
    geometry_uri = server.open(geometry)
    server.diagnostics(geometry_uri)
    found = _references(server, geometry_uri, *position_of(geometry.read_text(), "rect_area"))
    by_uri = {loc["uri"] for loc in found}
    assert by_uri == {app_uri, geometry_uri}
    app_text = app.read_text()
    assert position_of(app_text, "rect_area") in _starts([f for f in found if f["uri"] == app_uri])


def test_references_in_workspace_files_not_open(workspace: Path) -> None:
    """A fresh server (nothing else open): the importer is found on disk."""
    shutil.copytree(FIXTURES / "project", workspace / "closed")
    app = workspace / "closed" / "app.lm"
    geometry = workspace / "closed" / "geometry.lm"
    client = LspClient()
    try:
        client.initialize(workspace / "closed")
        uri = client.open(geometry)
        client.diagnostics(uri)
        found = _references(client, uri, *position_of(geometry.read_text(), "Rect\n"))
        in_app = _starts([f for f in found if f["uri"] == app.resolve().as_uri()])
        app_text = app.read_text()
        assert in_app == [position_of(app_text, "Rect"), position_of(app_text, "Rect(width")]
    finally:
        client.shutdown()
