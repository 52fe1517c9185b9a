"""Shared helpers of the formatter tests."""

from __future__ import annotations

import textwrap

from lumen.format import format_file_text
from lumen.format.comments import collect_comments


def fmt(text: str, path: str = "test.lm") -> str:
    """The formatted text; fails the test when the formatter refuses."""
    result = format_file_text(text, path)
    assert result.text is not None, (result.failure, [d.message for d in result.diagnostics])
    return result.text


def fmt_source(text: str) -> str:
    """`text` dedented (tests write programs indented), then formatted."""
    return fmt(textwrap.dedent(text).lstrip("\n"))


def comment_texts(code: str) -> list[str]:
    return sorted(c.lines[0] for c in collect_comments(code, "test.lm"))
