"""The analysis of each open document, cached per URI and text.

The text comes from the editor's buffer, never the disk, and so do the modules it imports
that are open in the editor (their unsaved text; others are read from disk): it is turned
into a `SourceUnit`
with `lumen.source.source_from_text` (the suffix of the URI's path decides Markdown or
plain) and compiled with `lumen.driver.compile_source` up to analysis, then verified
(`lumen.driver.with_verification`), exactly what `lumen check` does for a file. While the
user types, the current text often does not parse; the last version that did is kept so
that outline and completion still have names to offer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lumen.driver import Compilation, CompileOptions, compile_source, with_verification
from lumen.lsp.positions import UTF16, LineMap
from lumen.source import SourceUnit, source_from_text
from lumen.syntax import ast

LUMEN_SUFFIXES = (".lm", ".lumen", ".lm.md", ".lumen.md")


def uri_to_path(uri: str) -> str:
    """The file system path of a `file:` URI; other schemes keep the URI's path part."""
    parsed = urlparse(uri)
    path = unquote(parsed.path)
    if parsed.scheme == "file" and len(path) > 2 and path[0] == "/" and path[2] == ":":
        path = path[1:]  # file:///C:/x.lm on Windows
    return path or uri


def path_to_uri(path: str | Path) -> str:
    return Path(path).resolve().as_uri()


@dataclass(frozen=True, slots=True)
class AnalyzedDocument:
    """One version of a document with everything the compiler made of it. When this text
    does not parse, `last_parsed` is the latest version that did; `outline_*` are that
    version's (or this one's, when it parsed)."""

    uri: str
    version: int | None
    text: str
    path: str
    compilation: Compilation
    lines: LineMap
    last_parsed: AnalyzedDocument | None = None
    # The other open documents' texts when this one was analysed (path -> text): what
    # imports of them read, for the analysis and for lookups into those modules.
    buffers: Mapping[str, str] | None = None

    @property
    def outline(self) -> AnalyzedDocument | None:
        return self if self.parsed else self.last_parsed

    @property
    def outline_program(self) -> ast.Program | None:
        return self.outline.program if self.outline is not None else None

    @property
    def outline_analysis(self) -> Any:
        return self.outline.analysis if self.outline is not None else None

    @property
    def outline_unit(self) -> SourceUnit | None:
        return self.outline.unit if self.outline is not None else None

    @property
    def unit(self) -> SourceUnit | None:
        return self.compilation.unit

    @property
    def program(self) -> ast.Program | None:
        """The syntax tree of THIS text (None when it did not parse): positions in it are
        positions in the editor."""
        program = self.compilation.program
        if program is None or not self.parsed:
            return None
        return program  # type: ignore[no-any-return]

    @property
    def analysis(self) -> Any:
        return self.compilation.analysis if self.parsed else None

    @property
    def parsed(self) -> bool:
        """Did this text parse? (Parse errors leave an empty program and no analysis.)"""
        return self.compilation.analysis is not None

    def lumen_position(self, position: Any) -> tuple[int, int]:
        return self.lines.lumen_position(position)


def analyze_text(uri: str, text: str, version: int | None = None,
                 previous: AnalyzedDocument | None = None, encoding: str = UTF16,
                 buffers: Mapping[str, str] | None = None) -> AnalyzedDocument:
    """Compile `text` (the content of `uri`) up to analysis; `previous` is the document's
    last analysis, kept as `last_parsed` while the new text does not parse; `buffers` are
    the other open documents (path -> text), read instead of the disk by imports."""
    path = uri_to_path(uri)
    unit = source_from_text(text, path)
    # What `lumen check` reports, the static verification of `where` clauses included.
    options = CompileOptions(lower=False, buffers=buffers or None)
    compilation = with_verification(compile_source(unit, options))
    document = AnalyzedDocument(uri, version, text, path, compilation, LineMap(text, encoding),
                                buffers=buffers or None)
    if document.parsed or previous is None:
        return document
    return replace(document, last_parsed=previous.outline)


class DocumentStore:
    """The latest analysis of each open document; a text already analysed is reused."""

    def __init__(self, encoding: str = UTF16) -> None:
        self.encoding = encoding
        self._documents: dict[str, AnalyzedDocument] = {}

    def update(self, uri: str, text: str, version: int | None = None,
               force: bool = False) -> AnalyzedDocument:
        """The analysis of `text`; `force` analyses again an unchanged text (a module it
        imports may have changed on disk)."""
        current = self._documents.get(uri)
        unchanged = (current is not None and current.text == text
                     and current.lines.encoding == self.encoding)
        if unchanged and not force:
            assert current is not None
            return current
        buffers = {d.path: d.text for u, d in self._documents.items() if u != uri}
        document = analyze_text(uri, text, version, current, self.encoding, buffers)
        self._documents[uri] = document
        return document

    def importers(self, uri: str) -> list[AnalyzedDocument]:
        """The other open documents whose program imports the module `uri` is."""
        document = self._documents.get(uri)
        path = Path(uri_to_path(uri)).resolve() if document is None else \
            Path(document.path).resolve()
        return [d for u, d in self._documents.items() if u != uri and any(
            Path(imported).resolve() == path for imported in d.compilation.imported)]

    def get(self, uri: str) -> AnalyzedDocument | None:
        return self._documents.get(uri)

    def close(self, uri: str) -> None:
        self._documents.pop(uri, None)

    def open_documents(self) -> list[AnalyzedDocument]:
        return list(self._documents.values())
