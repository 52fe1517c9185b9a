"""Unit tests of Span <-> LSP conversion and the document analysis (no server)."""

from __future__ import annotations

from lsprotocol import types as lsp

from lumen.diagnostics import Span
from lumen.lsp.documents import analyze_text, uri_to_path
from lumen.lsp.features.diagnostics import document_diagnostics
from lumen.lsp.positions import UTF8, UTF16, LineMap

MARKDOWN = """# Notes

Prose on line three.

More prose.

```lumen
cell main()
  let x: Int = "text"
end
```
"""


def test_markdown_diagnostic_is_on_the_original_line() -> None:
    document = analyze_text("file:///tmp/notes.lm.md", MARKDOWN)
    found = document_diagnostics(document)
    assert found, "assigning a String to an Int must be reported"
    assert found[0].range.start.line == 8  # `let x: Int = "text"` (0-based)


def test_round_trip_through_utf16_and_utf8() -> None:
    text = "a😀b = 1\n"
    lines = LineMap(text, UTF16)
    assert lines.position(1, 3) == lsp.Position(line=0, character=3)  # after the emoji
    assert lines.lumen_position(lsp.Position(line=0, character=3)) == (1, 3)
    utf8 = LineMap(text, UTF8)
    assert utf8.position(1, 3) == lsp.Position(line=0, character=5)
    assert utf8.lumen_position(lsp.Position(line=0, character=5)) == (1, 3)


def test_unknown_and_empty_spans() -> None:
    lines = LineMap("abc\n")
    assert lines.range(Span(0, 0, 0, 0)).start == lsp.Position(line=0, character=0)
    widened = lines.range(Span(1, 2, 1, 2))
    assert (widened.start.character, widened.end.character) == (1, 2)


def test_document_that_stops_parsing_keeps_its_last_outline() -> None:
    good = analyze_text("file:///tmp/a.lm", "cell f()\n  return 1\nend\n")
    broken = analyze_text("file:///tmp/a.lm", "cell f()\n  return (\nend\n", previous=good)
    assert not broken.parsed and broken.program is None
    assert broken.outline_program is good.program and broken.last_parsed is good
    again = analyze_text("file:///tmp/a.lm", "cell f()\n  return [\nend\n", previous=broken)
    assert again.last_parsed is good  # never a chain of broken versions


def test_file_uri_to_path() -> None:
    assert uri_to_path("file:///tmp/with%20space.lm") == "/tmp/with space.lm"
