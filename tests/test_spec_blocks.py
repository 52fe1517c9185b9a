"""Every ```lumen block of SPEC.md compiles: parsed and analysed without errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lumen.diagnostics.render import render_diagnostic
from lumen.driver import CompileOptions, compile_source
from lumen.source import source_from_text

SPEC = Path(__file__).resolve().parent.parent / "SPEC.md"
_BLOCK = re.compile(r"^```lumen[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[int, str]]:
    text = SPEC.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start()) + 1, match.group(1)) for match in _BLOCK.finditer(text)]


def test_spec_has_examples() -> None:
    assert _blocks(), "SPEC.md should hold at least one ```lumen example"


@pytest.mark.parametrize(("line", "code"), _blocks(), ids=lambda v: f"line{v}" if isinstance(v, int) else "")
def test_spec_block_compiles(line: int, code: str) -> None:
    unit = source_from_text(code, f"SPEC.md(block at line {line}).lm")
    compilation = compile_source(unit, CompileOptions(lower=False))
    # The parser must have run; the analyser runs whenever this build has it.
    assert compilation.program is not None, [d.message for d in compilation.diagnostics]
    errors = [render_diagnostic(d, unit.line_text(d.line), color=False) for d in compilation.errors]
    assert not errors, "\n".join(errors)


def test_spec_appendix_lists_every_diagnostic_code() -> None:
    from lumen.diagnostics.codes import markdown_table

    text = SPEC.read_text(encoding="utf-8")
    begin, end = "<!-- codes:begin -->\n", "\n<!-- codes:end -->"
    table = text[text.index(begin) + len(begin) : text.index(end)]
    assert table == markdown_table(), "regenerate with: python3 -m lumen.diagnostics.codes"
