"""`SourceUnit`: one source file, ready for the parser."""

from __future__ import annotations

from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, NamedTuple

    from lumen.diagnostics import Diagnostic
    from lumen.source.directives import SourceDirective
else:
    from lumen.plain_tuples import NamedTuple

if TYPE_CHECKING:
    SourceKind = Literal["markdown", "plain"]
else:
    SourceKind = str


# NamedTuples rather than dataclasses: every run (a compile-cache hit too) creates these
# classes at start-up, and a NamedTuple class costs a seventh as much to create.
class DocBlock(NamedTuple):
    """A ``` block of a plain `.lm` file (§1.2) at lines `start_line`..`end_line` (1-based,
    fences included); `text` is its content without the fences. The parser attaches it as
    the docstring of the declaration that follows."""

    start_line: int
    end_line: int
    text: str


class SourceUnit(NamedTuple):
    """A loaded file.

    `text` is the original text (CRLF normalised to LF); `code` is the text the parser
    reads, with every non-code line replaced by an empty line so that line and column
    numbers in `code` are those of the original file. `directives` are the directive
    lines found outside code (Markdown prose, the header of a fence-less Markdown file);
    directives written in code are the parser's. `docblocks` are the ``` blocks of the
    code, for docstrings. `diagnostics` are problems found while extracting (E0007).
    """

    path: str
    text: str
    code: str
    kind: SourceKind
    directives: tuple[SourceDirective, ...] = ()
    docblocks: tuple[DocBlock, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()

    def line_text(self, line: int) -> str | None:
        """The original text of a 1-based line, or None when out of range."""
        lines = _lines_of(self.text)
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return None

    @property
    def line_count(self) -> int:
        return len(_lines_of(self.text))


@lru_cache(maxsize=16)
def _lines_of(text: str) -> tuple[str, ...]:
    """The lines of a unit's text, split once per text (renderers ask line by line)."""
    return tuple(text.split("\n"))


class SourceError(Exception):
    """The file could not be loaded; `diagnostic` says why (E0900 / E0901)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
