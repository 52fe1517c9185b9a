"""Backtick fence lines, shared by Markdown files (§1.1) and Markdown blocks in plain
files (§1.2)."""

from __future__ import annotations

from dataclasses import dataclass

_MIN_FENCE = 3


@dataclass(frozen=True, slots=True)
class Fence:
    """An opening fence: how many backticks, the info string, and the column (1-based)
    where the backticks start."""

    length: int
    info: str
    column: int


def opening_fence(line: str) -> Fence | None:
    """The fence this line opens, if it is one: after trimming, 3+ backticks then an info
    string. As in CommonMark, an info string containing a backtick makes it no fence (so
    inline code such as ```x``` in prose is not mistaken for one)."""
    stripped = line.strip()
    count = len(stripped) - len(stripped.lstrip("`"))
    if count < _MIN_FENCE:
        return None
    info = stripped[count:].strip()
    if "`" in info:
        return None
    column = len(line) - len(line.lstrip()) + 1
    return Fence(count, info, column)


def closes_fence(line: str, fence: Fence) -> bool:
    """A block ends at a line that, trimmed, is only backticks, at least as many as opened it."""
    stripped = line.strip()
    return len(stripped) >= fence.length and stripped == "`" * len(stripped)
