"""Acceptance: every conformance case and every Lumen text block of LANGUAGE.md parses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lumen.source.loader import load_source, source_from_text
from lumen.syntax import ast, parse

SHARED = Path("/work/shared")
CASES = sorted((SHARED / "conformance" / "cases").glob("**/*.lm"))
REFERENCE = SHARED / "LANGUAGE.md"

# cases that must fail to parse, with the diagnostic code each must give
EXPECTED_ERRORS = {
    "errors/unterminated_string.lm": "E0002",
    "errors/missing_end.lm": "E0013",
    "errors/invalid_bytes_literal.lm": "E0005",
}

# ```text blocks of LANGUAGE.md that are not Lumen programs, by their first line
NOT_LUMEN = {
    # the format-spec grammar of §2.5 (EBNF, not code)
    "spec := [[fill] align] [sign] ['#'] ['0'] [width] ['.' precision] [type]",
    # the operator table of §2.6
    "+  -  *  /  //  %  **  ++           arithmetic and concatenation",
    # lumen.toml, §12.5
    "[providers]",
    # §5.1: the body is elided with `...` (malformed per the reference itself)
    "pub async cell scale[T](items: list[T], factor: Int = 2, ...extra: Int) -> list[T] / {emit}",
    # §7.2: a display of literals side by side; `[1, 2, 3]  []` would read as indexing
    "[1, 2, 3]            []            [0, ...rest, 9]",
    # §16.7 / §16.8: optional features (session types, typestate) this implementation
    # does not provide; for them a parse error is the conforming behaviour
    "session Checkout {",
    "typestate Conn { Closed, Open }",
}


def _case_id(path: Path) -> str:
    return str(path.relative_to(SHARED / "conformance" / "cases"))


@pytest.mark.parametrize("path", CASES, ids=_case_id)
def test_conformance_case_parses(path: Path) -> None:
    unit = load_source(path)
    result = parse(unit.code, str(path), unit.docblocks)
    expected = EXPECTED_ERRORS.get(_case_id(path))
    codes = [d.code for d in result.diagnostics]
    if expected is None:
        assert codes == [], [f"{d.line}:{d.column} {d.code} {d.message}" for d in result.diagnostics]
        assert result.program.items
    else:
        assert expected in codes


def _text_blocks() -> list[tuple[int, str]]:
    lines = REFERENCE.read_text(encoding="utf-8").split("\n")
    blocks: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        match = re.fullmatch(r"(`{3,})text", lines[index].strip())
        if match:
            fence = match.group(1)
            end = index + 1
            while end < len(lines) and lines[end].strip() != fence:
                end += 1
            blocks.append((index + 2, "\n".join(lines[index + 1:end])))
            index = end
        index += 1
    return blocks


BLOCKS = _text_blocks()


def test_reference_has_text_blocks() -> None:
    assert len(BLOCKS) > 30
    first_lines = {code.split("\n")[0] for _, code in BLOCKS}
    assert NOT_LUMEN <= first_lines, NOT_LUMEN - first_lines


@pytest.mark.parametrize("line,code", BLOCKS, ids=[f"line{line}" for line, _ in BLOCKS])
def test_reference_block_parses(line: int, code: str) -> None:
    if code.split("\n")[0] in NOT_LUMEN:
        pytest.skip("not a Lumen program (see NOT_LUMEN)")
    unit = source_from_text(code, "block.lm")  # blanks ``` doc blocks like the CLI does
    result = parse(unit.code, f"LANGUAGE.md:{line}", unit.docblocks)
    assert not result.diagnostics, [
        f"{d.line}:{d.column} {d.code} {d.message}" for d in result.diagnostics
    ]
    assert result.program.items


def test_docblock_becomes_docstring() -> None:
    code = "```\nReturns the larger of two numbers.\n```\ncell bigger(a: Int, b: Int) -> Int = if a > b then a else b\n"
    unit = source_from_text(code, "doc.lm")
    result = parse(unit.code, "doc.lm", unit.docblocks)
    (cell,) = result.program.items
    assert isinstance(cell, ast.CellDecl)
    assert cell.doc is not None and "larger of two numbers" in cell.doc
