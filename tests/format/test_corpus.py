"""Issue 7, acceptance 3: over every conformance case and every `std/` file,
`fmt(fmt(x)) == fmt(x)`, the formatted program is the same tree with the same comments,
and it gives the same `lumen run --json` result as the original.

The run check executes (in-process) every case the formatter changes; cases it leaves
byte-identical give the same result by construction. LUMEN_SLOW_TESTS=1 runs every case
both ways regardless (CI sets it).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from lumen.format import format_file_text
from lumen.format.comments import collect_comments
from lumen.source import source_from_text
from lumen.syntax import parse

REPOSITORY = Path(__file__).resolve().parents[2]
CONFORMANCE = REPOSITORY.parent / "shared" / "conformance" / "cases"  # CI: ../shared
STD = REPOSITORY / "std"
SLOW = os.environ.get("LUMEN_SLOW_TESTS") == "1"


def _sources(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    suffixes = (".lm", ".lumen", ".lm.md", ".lumen.md")
    return sorted(p for p in root.rglob("*") if p.name.endswith(suffixes))


def _cases() -> list[Path]:
    """Runnable cases: single-file cases, and the `main.lm` of multi-file cases."""
    return [
        path for path in _sources(CONFORMANCE)
        if path.parent.parent == CONFORMANCE or path.name == "main.lm"
    ]


FILES = _sources(CONFORMANCE) + _sources(STD)


def _parses(text: str, path: Path) -> bool:
    unit = source_from_text(text, str(path))
    if unit.diagnostics:
        return False
    return not any(d.is_error for d in parse(unit.code, str(path)).diagnostics)


def _tree_and_comments(text: str, path: Path) -> tuple[object, Counter[str]]:
    unit = source_from_text(text, str(path))
    comments = Counter(c.lines[0] for c in collect_comments(unit.code, str(path)))
    return parse(unit.code, str(path)).program, comments


@pytest.mark.skipif(not FILES, reason="no conformance corpus on this machine")
def test_every_file_formats_idempotently_to_the_same_tree_and_comments() -> None:
    problems = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        result = format_file_text(text, str(path))
        if result.text is None:
            # only a syntax error may stop the formatter, and it leaves the file alone
            if result.failure or _parses(text, path):
                problems.append(f"{path}: not formatted: {result.failure}")
            continue
        again = format_file_text(result.text, str(path)).text
        if again != result.text:
            problems.append(f"{path}: not idempotent")
        if _tree_and_comments(result.text, path) != _tree_and_comments(text, path):
            problems.append(f"{path}: tree or comments changed")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- same run result

_LOCATION = re.compile(r"(\.lm(?:\.md)?):\d+(?::\d+)?")


def _run_json(main: Path) -> tuple[int, list[str], dict[str, object]]:
    """Exit status, printed lines and the result line, with source positions removed
    (formatting moves lines)."""
    from lumen.cli.main import run_cli

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(main.parent)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = run_cli(["run", str(main), "--json"])
    finally:
        os.chdir(cwd)
    lines = out.getvalue().rstrip("\n").split("\n")
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    error = result.get("error")
    if isinstance(error, dict):
        for key in ("file", "line", "column", "end_line", "end_column"):
            error.pop(key, None)
        error["message"] = _LOCATION.sub(r"\1:N", str(error.get("message", "")))
    return status, lines[:-1], result


def _format_folder(folder: Path) -> bool:
    """Format every source of `folder` in place; whether anything changed."""
    changed = False
    for path in _sources(folder):
        text = path.read_text(encoding="utf-8")
        result = format_file_text(text, str(path))
        if result.text is not None and result.text != text:
            path.write_text(result.text, encoding="utf-8")
            changed = True
    return changed


def _case_folder(case: Path) -> Path | None:
    """The folder of a multi-file case (`cases/<area>/<name>/main.lm`), else None."""
    return case.parent if case.parent.parent.parent == CONFORMANCE else None


def _case_copy(case: Path, tmp_path: Path) -> Path:
    """A copy of the case (its whole folder for a multi-file case); returns its main."""
    folder = _case_folder(case)
    if folder is None:
        return Path(shutil.copy(case, tmp_path / case.name))
    shutil.copytree(folder, tmp_path / folder.name)
    return tmp_path / folder.name / case.name


def _would_change(case: Path) -> bool:
    folder = _case_folder(case)
    for path in [case] if folder is None else _sources(folder):
        text = path.read_text(encoding="utf-8")
        result = format_file_text(text, str(path))
        if result.text is not None and result.text != text:
            return True
    return False


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="no conformance corpus on this machine")
def test_formatted_cases_give_the_same_run_result(tmp_path: Path) -> None:
    problems = []
    checked = 0
    for number, case in enumerate(_cases()):
        if not SLOW and not _would_change(case):
            continue
        folder = tmp_path / str(number)
        folder.mkdir()
        main = _case_copy(case, folder)
        before = _run_json(main)
        _format_folder(main.parent)
        after = _run_json(main)
        checked += 1
        if before != after:
            problems.append(f"{case}: {before} became {after}")
    assert not problems, "\n".join(problems)
    assert checked or not SLOW
