"""Data-driven verifier cases: each `cases/*.lm` marks the lines that must carry a
diagnostic with a trailing `# expect: CODE` comment; every other line must carry none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.verify.helpers import verify_file

CASES = sorted((Path(__file__).parent / "cases").glob("*.lm"))
_EXPECT = re.compile(r"#\s*expect:\s*(E\d{4}(?:\s*,\s*E\d{4})*)")


def _expected(path: Path) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            found |= {(number, code.strip()) for code in match.group(1).split(",")}
    return found


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    checked, verified = verify_file(path)
    assert not [d for d in checked if d.is_error], [d.message for d in checked]
    actual = {(d.line, d.code) for d in verified}
    details = "\n".join(f"{d.line}:{d.column} {d.code} {d.message} [{d.hint}]" for d in verified)
    assert actual == _expected(path), details


def test_reports_are_deterministic() -> None:
    """Two runs give the same diagnostics, hints (counterexamples) included."""
    for path in CASES[:4]:
        first, second = verify_file(path)[1], verify_file(path)[1]
        assert [(d.line, d.column, d.message, d.hint) for d in first] == \
               [(d.line, d.column, d.message, d.hint) for d in second]
