"""Plain source files (§1.2): Markdown blocks become docblocks; E0007; file errors; directives."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.diagnostics import ErrorCode, Span
from lumen.source import (
    SourceError,
    load_source,
    normalize_directive_value,
    parse_bool_directive,
    source_from_text,
)

DOCUMENTED = """\
```
Returns the larger of two numbers.
  Indented detail.
```
cell bigger(a: Int, b: Int) -> Int = if a > b then a else b

```text
Just a comment.
```
"""


def test_markdown_blocks_are_blanked_and_returned_as_docblocks() -> None:
    from lumen.syntax.docblocks import DocBlock

    unit = source_from_text(DOCUMENTED, "doc.lm")
    assert unit.code.split("\n")[:5] == ["", "", "", "", DOCUMENTED.split("\n")[4]]
    assert unit.code.split("\n")[6:9] == ["", "", ""]
    assert unit.docblocks == (
        DocBlock(1, 4, "Returns the larger of two numbers.\n  Indented detail."),
        DocBlock(7, 9, "Just a comment."),
    )
    assert unit.diagnostics == ()


def test_unterminated_markdown_block_is_e0007_at_the_fence() -> None:
    text = "cell main() -> Int\n  return 1\nend\n  ```\nnever closed\n"
    unit = source_from_text(text, "open.lm")
    (diagnostic,) = unit.diagnostics
    assert diagnostic.code == ErrorCode.UNTERMINATED_MARKDOWN.value
    assert diagnostic.span == Span(4, 3, 4, 6)
    assert diagnostic.file == "open.lm"
    # The rest of the file is comment, so the parser sees no prose.
    assert unit.code.split("\n")[3:] == ["", "", ""]


def test_backticks_inside_a_triple_quoted_string_are_string_content() -> None:
    text = 'let s = """\n```\ntext "{1}" # not a comment\n"""\nlet t = "a\\"\\"\\"b" # """\n```\nprose\n```\n'
    unit = source_from_text(text, "str.lm")
    lines = unit.code.split("\n")
    assert lines[:5] == text.split("\n")[:5]
    assert lines[5:8] == ["", "", ""]
    assert unit.diagnostics == ()


def test_line_text_returns_original_lines() -> None:
    unit = source_from_text("a\nb\n", "x.lm")
    assert [unit.line_text(n) for n in (0, 1, 2, 3, 4)] == [None, "a", "b", "", None]


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_source(tmp_path / "nope.lm")
    assert caught.value.diagnostic.code == ErrorCode.FILE_NOT_FOUND.value
    assert "nope.lm" in caught.value.diagnostic.message


def test_invalid_utf8_is_unreadable_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.lm"
    path.write_bytes(b"let a = 1\nlet b = \"\xff\"\n")
    with pytest.raises(SourceError) as caught:
        load_source(path)
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == ErrorCode.FILE_UNREADABLE.value
    assert (diagnostic.line, diagnostic.column) == (2, 10)


def test_a_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_source(tmp_path)
    assert caught.value.diagnostic.code == ErrorCode.FILE_UNREADABLE.value


def test_load_source_reads_markdown_by_suffix(tmp_path: Path) -> None:
    path = tmp_path / "prog.lumen.md"
    path.write_text("Intro\n\n```lumen\nlet x = 1\n```\n", encoding="utf-8")
    unit = load_source(path)
    assert unit.kind == "markdown"
    assert unit.path == str(path)
    assert unit.code.split("\n")[3] == "let x = 1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True), ("true", True), ("TRUE", True), ("yes", True), ("On", True), ("1", True),
        ("false", False), ("No", False), ("off", False), ("0", False), (" false ", False),
    ],
)
def test_boolean_directive_spellings(value: str | None, expected: bool) -> None:
    assert parse_bool_directive(value) is expected


def test_unknown_boolean_spelling_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_bool_directive("maybe")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), ("", None), ("  x  ", "x"), ('"quoted"', "quoted"), ('""x""', '"x"'), ('"', '"')],
)
def test_directive_value_rule(raw: str | None, expected: str | None) -> None:
    assert normalize_directive_value(raw) == expected
