"""Formatting over a real server: one whole-document edit with the `lumen fmt` text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lumen.format import format_file_text
from tests.lsp.client import LspClient

MESSY = "cell   add(a:Int,b:Int)->Int\n    return a+b\nend\n\n\n\ncell main()\n  print(add(1,2))\nend\n"
MARKDOWN = "# Title\n\nProse   stays   as   written.\n\n```lumen\ncell main()\n    print(1+2)\nend\n```\n"
OPTIONS = {"tabSize": 2, "insertSpaces": True}


def _apply(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply whole-document edits (the only kind the server sends)."""
    assert len(edits) == 1
    edit = edits[0]
    assert edit["range"]["start"] == {"line": 0, "character": 0}
    lines = text.split("\n")
    assert edit["range"]["end"] == {"line": len(lines) - 1, "character": len(lines[-1])}
    return edit["newText"]  # type: ignore[no-any-return]


def _format(server: LspClient, uri: str) -> list[dict[str, Any]]:
    return server.request("textDocument/formatting",  # type: ignore[no-any-return]
                          {"textDocument": {"uri": uri}, "options": OPTIONS})


def test_plain_file_gets_the_canonical_text(server: LspClient, workspace: Path) -> None:
    path = workspace / "messy.lm"
    uri = server.open(path, MESSY)
    formatted = _apply(MESSY, _format(server, uri))
    assert formatted == format_file_text(MESSY, str(path)).text
    assert "cell add(a: Int, b: Int) -> Int\n  return a + b\nend" in formatted
    server.change(uri, formatted, version=2)
    assert _format(server, uri) == []  # already canonical


def test_markdown_changes_only_code(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "messy.lm.md", MARKDOWN)
    formatted = _apply(MARKDOWN, _format(server, uri))
    assert "Prose   stays   as   written." in formatted
    assert "  print(1 + 2)" in formatted


def test_document_with_syntax_error_gets_no_edits(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "broken_fmt.lm", "cell main()\n    print(1 +\nend\n")
    assert _format(server, uri) == []
