"""The verifier never raises: mutated versions of the case programs that still type-check are
verified without an exception (anything it cannot follow is simply unknown)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lumen.driver import CompileOptions, compile_source
from lumen.source import source_from_text
from lumen.verify import verify

CASES = sorted((Path(__file__).parent / "cases").glob("*.lm"))
TEXTS = [path.read_text(encoding="utf-8") for path in CASES]
PIECES = [" x ", " + ", " - ", "0", "-1", " and ", " or ", " not ", "(", ")", "[", "]", "\n",
          "  @assert x > 0\n", "  @assume n < 1\n", "  @invariant k >= 0\n", " if ", " end\n",
          "1.5", " == ", "length(xs)", " where n > 0", "true", "null", '"s"', ".qty", "[0]"]


@st.composite
def mutants(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            del lines[index]
        elif action == "insert":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(PIECES)) + line[at:]
        else:
            lines.insert(index, draw(st.sampled_from(lines)))
    return "\n".join(lines)


@settings(max_examples=40, deadline=None)
@given(mutants())
def test_mutated_programs_never_make_the_verifier_raise(text: str) -> None:
    unit = source_from_text(text, "mutant.lm")
    compilation = compile_source(unit, CompileOptions(lower=False))
    if not compilation.ok or compilation.program is None:
        return  # only programs the checker accepts reach the verifier
    result = verify(compilation.program, compilation.analysis, file=unit.path, code=unit.code,
                    verbose=True)
    assert all(d.file == unit.path for d in result.diagnostics)
