"""Imported modules open in the editor are read from their unsaved text: diagnostics,
hover and completion in the importing document follow edits of the imported one before
they are saved, and go back to the file on disk when it is closed."""

from __future__ import annotations

from pathlib import Path

from tests.lsp.client import LspClient

SHAPES = """pub cell area(w: Int, h: Int) -> Int
  return w * h
end
"""

APP = """import shapes: area

cell main() -> Int
  return area(2, 3)
end
"""


def _codes(found: list[dict[str, object]]) -> list[object]:
    return [d["code"] for d in found]


def test_importers_follow_unsaved_edits_of_an_open_module(
        server: LspClient, workspace: Path) -> None:
    folder = workspace / "open_imports"
    folder.mkdir()
    (folder / "shapes.lm").write_text(SHAPES)
    app = server.open(folder / "app.lm", APP)
    assert server.diagnostics(app) == []
    shapes = server.open(folder / "shapes.lm", SHAPES)
    assert server.diagnostics(shapes) == []
    assert server.diagnostics(app) == []  # checked again: it imports what was opened

    # `area` renamed in the editor only: the importer no longer finds it.
    renamed = SHAPES.replace("area", "surface")
    server.change(shapes, renamed, version=2)
    assert server.diagnostics(shapes, version=2) == []
    assert "E0123" in _codes(server.diagnostics(app))

    # A new parameter, still unsaved: hover in the importer shows the edited signature.
    wider = SHAPES.replace("h: Int)", "h: Int, d: Int)").replace("w * h", "w * h * d")
    server.change(shapes, wider, version=3)
    assert server.diagnostics(app) == []
    hover = server.request("textDocument/hover", server.at(app, 3, 10))
    assert "d: Int" in str(hover)

    # Closed without saving: the file on disk is what imports read again.
    server.notify("textDocument/didClose", {"textDocument": {"uri": shapes}})
    assert server.diagnostics(app) == []
    hover = server.request("textDocument/hover", server.at(app, 3, 10))
    assert "d: Int" not in str(hover) and "h: Int" in str(hover)
