"""Answering position requests from the last version that parsed.

While one line is half typed the document does not parse, and a hover three screens up
would find nothing. The lines that did not change since the last version that parsed
mean the same there: the request's position is moved to that version's line, the feature
runs on it, and the ranges in the answer are moved back. Anything that touches a line
that changed is left out of the answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp

from lumen.lsp.documents import AnalyzedDocument


@dataclass(frozen=True, slots=True)
class LineShift:
    """Unchanged lines between two versions (0-based): old -> new and new -> old."""

    to_new: dict[int, int]
    to_old: dict[int, int]

    @staticmethod
    def between(old_lines: list[str], new_lines: list[str]) -> LineShift:
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        to_new: dict[int, int] = {}
        for block in matcher.get_matching_blocks():
            for offset in range(block.size):
                to_new[block.a + offset] = block.b + offset
        return LineShift(to_new, {new: old for old, new in to_new.items()})

    def position(self, position: lsp.Position, mapping: dict[int, int]) -> lsp.Position | None:
        line = mapping.get(position.line)
        return None if line is None else lsp.Position(line=line, character=position.character)

    def range_to_new(self, range_: lsp.Range) -> lsp.Range | None:
        start = self.position(range_.start, self.to_new)
        end = self.position(range_.end, self.to_new)
        return None if start is None or end is None else lsp.Range(start=start, end=end)


def answer_from_last_parse(document: AnalyzedDocument, params: Any,
                           feature: Callable[[AnalyzedDocument, Any], Any]) -> Any:
    """`feature(last parsed version, params)` with the position and the answer moved
    between the versions; None when the position is on a changed line."""
    previous = document.last_parsed
    if previous is None or document.parsed:
        return None
    shift = LineShift.between(previous.lines.lines, document.lines.lines)
    old_position = shift.position(params.position, shift.to_old)
    if old_position is None:
        return None
    answer = feature(previous, _with_position(params, old_position))
    return _moved(answer, shift, previous.uri)


def whole_document_from_last_parse(document: AnalyzedDocument, params: Any,
                                   feature: Callable[[AnalyzedDocument, Any], Any]) -> Any:
    """`feature(last parsed version, params)` for a request about the whole document
    (outline, folding), its ranges moved to the current lines."""
    previous = document.last_parsed
    if previous is None or document.parsed:
        return None
    shift = LineShift.between(previous.lines.lines, document.lines.lines)
    return _moved(feature(previous, params), shift, previous.uri)


def _with_position(params: Any, position: lsp.Position) -> Any:
    import attrs

    return attrs.evolve(params, position=position)


def _moved(answer: Any, shift: LineShift, uri: str) -> Any:
    """The answer with its ranges in this document moved to the new lines; items whose
    range was on a changed line are dropped (a Hover loses its range only)."""
    if answer is None:
        return None
    if isinstance(answer, list):
        moved = [_moved(item, shift, uri) for item in answer]
        return [item for item in moved if item is not None]
    if isinstance(answer, lsp.Location):
        if answer.uri != uri:
            return answer  # another file: unaffected by this document's edits
        range_ = shift.range_to_new(answer.range)
        return None if range_ is None else lsp.Location(uri=answer.uri, range=range_)
    if isinstance(answer, lsp.DocumentHighlight):
        range_ = shift.range_to_new(answer.range)
        return None if range_ is None else lsp.DocumentHighlight(range=range_, kind=answer.kind)
    if isinstance(answer, lsp.Hover):
        return lsp.Hover(contents=answer.contents)
    if isinstance(answer, lsp.FoldingRange):
        start, end = shift.to_new.get(answer.start_line), shift.to_new.get(answer.end_line)
        if start is None or end is None or end <= start:
            return None
        return lsp.FoldingRange(start_line=start, end_line=end, kind=answer.kind)
    if isinstance(answer, lsp.DocumentSymbol):
        range_ = shift.range_to_new(answer.range)
        selection = shift.range_to_new(answer.selection_range)
        if range_ is None or selection is None:
            return None
        children = _moved(list(answer.children or []), shift, uri) or None
        return lsp.DocumentSymbol(name=answer.name, kind=answer.kind, range=range_,
                                  selection_range=selection, detail=answer.detail,
                                  children=children)
    return None  # an answer kind this module does not know how to move
