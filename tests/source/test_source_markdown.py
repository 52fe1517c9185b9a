"""Markdown-native files (LANGUAGE.md §1.1, §1.3): which lines are code, which directives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lumen.source import SourceDirective, source_from_text

LITERATE = """\
# Totals

@strict false
Some prose explaining the program. The next block is Python, not Lumen:

```python
def total(): return 1
```

```lumen
cell main() -> Int
  return 42
end
```

````text
```lumen
this is an example inside a longer text fence, so it is prose
```
````

```  LM\t
let answer = 41 + 1
```
Closing words.
"""


def _lines(code: str) -> list[str]:
    return code.split("\n")


def test_only_lumen_blocks_are_code_and_keep_their_line_numbers() -> None:
    unit = source_from_text(LITERATE, "totals.lm.md")
    assert unit.kind == "markdown"
    original, code = _lines(LITERATE), _lines(unit.code)
    assert len(code) == len(original)
    kept = {number: line for number, line in enumerate(code, start=1) if line}
    assert kept == {
        11: "cell main() -> Int",
        12: "  return 42",
        13: "end",
        23: "let answer = 41 + 1",
    }
    assert all(original[n - 1] == line for n, line in kept.items())


def test_prose_directives_are_collected_with_their_line() -> None:
    unit = source_from_text(LITERATE, "totals.lm.md")
    assert unit.directives == (SourceDirective("strict", "false", 3),)


def test_directive_values_follow_the_value_rules() -> None:
    text = '@package "acme/tools"\n  @deterministic  \n@lumen 1\n\n```lumen\n@strict false\n```\n'
    unit = source_from_text(text, "d.lm.md")
    assert unit.directives == (
        SourceDirective("package", "acme/tools", 1),
        SourceDirective("deterministic", None, 2),
        SourceDirective("lumen", "1", 3),
    )
    # A directive inside a code block is code: the parser reads it, the source keeps it.
    assert _lines(unit.code)[5] == "@strict false"


def test_crlf_is_normalised_before_extraction() -> None:
    text = "Intro\r\n```lumen\r\nlet x = 1\r\n```\r\n"
    unit = source_from_text(text, "crlf.lm.md")
    assert "\r" not in unit.text and "\r" not in unit.code
    assert _lines(unit.code) == ["", "", "let x = 1", "", ""]
    assert unit.line_text(3) == "let x = 1"


def test_a_closing_fence_may_be_longer_but_not_shorter() -> None:
    text = "```lumen\nlet a = 1\n`````\n````lumen\nlet b = 2\n```\nlet c = 3\n````\nprose\n"
    unit = source_from_text(text, "fence.lm.md")
    assert _lines(unit.code)[:3] == ["", "let a = 1", ""]
    # The 4-backtick block is not closed by ```; that line is content (a Markdown block
    # inside the code, which runs to the closing ````).
    assert _lines(unit.code)[4] == "let b = 2"
    assert _lines(unit.code)[8] == ""


def test_inline_code_with_backticks_is_not_a_fence() -> None:
    text = "Use ```x``` inline.\n```lumen\nlet y = 1\n```\n"
    unit = source_from_text("```lumen``` here\n" + text, "inline.lm.md")
    assert _lines(unit.code)[3] == "let y = 1"


def test_unclosed_code_fence_runs_to_the_end_without_error() -> None:
    unit = source_from_text("prose\n```lumen\nlet x = 1\n", "open.lm.md")
    assert _lines(unit.code) == ["", "", "let x = 1", ""]
    assert unit.diagnostics == ()


def test_fenceless_markdown_that_looks_like_source_is_source() -> None:
    text = "@strict false\n@lumen 1\n\ncell main() -> Int\n  return 1\nend\n"
    unit = source_from_text(text, "bare.lm.md")
    assert unit.kind == "plain"
    assert unit.directives == (SourceDirective("strict", "false", 1), SourceDirective("lumen", "1", 2))
    assert _lines(unit.code)[:4] == ["", "", "", "cell main() -> Int"]


def test_fenceless_prose_is_all_prose() -> None:
    text = "# Notes\n\nlet's not write code today.\ncell phones are banned\n"
    unit = source_from_text(text, "notes.lm.md")
    assert unit.kind == "markdown"
    assert unit.code.strip() == ""


def test_plain_suffixes_are_never_read_as_markdown() -> None:
    unit = source_from_text("Prose would be a syntax error here\n", "x.lm")
    assert unit.kind == "plain"
    assert unit.code == "Prose would be a syntax error here\n"


_PROSE = st.text(alphabet="abc #@*-_`\t ", max_size=20).filter(lambda s: not s.strip().startswith("`"))
_CODE = st.text(alphabet="abcxyz=+ ()[]\t\"#", max_size=20).filter(
    lambda s: not s.strip().startswith("`")
)


@given(st.lists(st.tuples(st.lists(_PROSE, max_size=4), st.lists(_CODE, max_size=4)), max_size=5))
def test_code_lines_keep_position_and_everything_else_is_blank(
    sections: list[tuple[list[str], list[str]]],
) -> None:
    lines: list[str] = []
    code_positions: set[int] = set()
    for prose, code in sections:
        lines.extend(prose)
        lines.append("```lumen")
        for line in code:
            lines.append(line)
            code_positions.add(len(lines))
        lines.append("```")
    text = "\n".join(lines)
    unit = source_from_text(text, "gen.lm.md")
    extracted = unit.code.split("\n")
    assert len(extracted) == len(text.split("\n"))
    for number, line in enumerate(extracted, start=1):
        expected = lines[number - 1] if number in code_positions else ""
        assert line == expected
