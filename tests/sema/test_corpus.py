"""The conformance corpus as the acceptance test of the checker.

Every `# expect-error: compile WORDS` case must produce an error diagnostic whose message or
code contains the words; every other case must produce no error diagnostic at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.sema import analyze
from lumen.source import load_source

CASES = Path("/work/shared/conformance/cases")

# Cases whose expectation depends on loading other modules (not the checker's job).
MODULE_LOADING_CASES = {
    "modules/circular_import/main.lm": "needs the module loader to detect the import cycle (E0121)",
    "modules/missing_module.lm": "needs the module loader to report the missing module (E0122)",
}


def _cases() -> list[Path]:
    if not CASES.is_dir():
        return []
    files = sorted(CASES.rglob("*.lm"))
    # A multi-file case is its main.lm; the modules beside it are not cases of their own.
    return [f for f in files if f.parent.parent == CASES or f.name == "main.lm"]


def _expected_compile_error(path: Path) -> list[str] | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("expect-error:"):
            kind, *words = body[len("expect-error:"):].split()
            return words if kind == "compile" else None
    return None


def _diagnostics(path: Path):  # type: ignore[no-untyped-def]
    from lumen.driver import collect_directives
    from tests.sema.conftest import get_parse

    parse = get_parse()

    unit = load_source(str(path))
    parsed = parse(unit.code, str(path))
    parse_errors = [d for d in (*unit.diagnostics, *parsed.diagnostics) if d.is_error]
    if parse_errors:
        return parse_errors, True
    analysis = analyze(parsed.program, str(path), collect_directives(unit, parsed.program))
    return [d for d in analysis.diagnostics if d.is_error], False


@pytest.mark.parametrize("path", _cases(), ids=lambda p: str(p.relative_to(CASES)))
def test_corpus_case(path: Path) -> None:
    name = str(path.relative_to(CASES))
    if name in MODULE_LOADING_CASES:
        pytest.skip(MODULE_LOADING_CASES[name])
    words = _expected_compile_error(path)
    errors, from_parser = _diagnostics(path)
    if words is None:
        if from_parser:
            pytest.skip(f"parser rejects the case: {errors[0].message}")
        assert not errors, "\n".join(f"{d.span.line}: {d.code} {d.message}" for d in errors)
        return
    assert errors, "expected a compile error, got none"
    text = [f"{d.code} {d.message}".lower() for d in errors]
    assert any(all(w.lower() in t for w in words) for t in text), text
