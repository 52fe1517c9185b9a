"""Markdown blocks of plain `.lm` files (§1.2), found by the source stage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DocBlock:
    """A ``` block at lines `start_line`..`end_line` (1-based, fences included);
    `text` is its content without the fences."""

    start_line: int
    end_line: int
    text: str
