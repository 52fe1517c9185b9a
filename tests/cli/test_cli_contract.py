"""The `lumen` command as CLI-CONTRACT.md fixes it, driven as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "hello.lm.md"


def lumen(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "lumen", *args],
        capture_output=True, text=True, cwd=cwd or REPO, env=full_env, timeout=60,
    )


def last_json_line(stdout: str) -> object:
    return json.loads(stdout.rstrip("\n").split("\n")[-1])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["frobnicate"],
        ["run"],
        ["run", "x.lm", "--no-such-option"],
        ["run", "x.lm", "--max-steps", "many"],
        ["run", "x.lm", "--max-depth", "0"],
        ["check"],
        ["emit", "x.lm"],
    ],
    ids=lambda a: " ".join(a) or "(no arguments)",
)
def test_usage_errors_exit_64_without_traceback(args: list[str]) -> None:
    result = lumen(*args)
    assert result.returncode == 64, result.stderr
    assert "Usage:" in result.stderr or "Usage:" in result.stdout
    assert "Traceback" not in result.stderr


def test_help_and_version_exit_0() -> None:
    assert lumen("--help").returncode == 0
    version = lumen("--version")
    assert version.returncode == 0 and "lumen" in version.stdout


# ----------------------------------------------------------------------------- files


def test_missing_file_is_a_compile_error_with_json_failure(tmp_path: Path) -> None:
    result = lumen("run", "missing.lm", "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert "missing.lm: error[E0900]: file not found: missing.lm" in result.stderr
    assert last_json_line(result.stdout) == {
        "ok": False,
        "error": {"kind": "compile", "code": "E0900", "message": "file not found: missing.lm",
                  "file": "missing.lm", "line": 0, "column": 0},
    }


def test_check_json_is_one_array_of_diagnostics(tmp_path: Path) -> None:
    result = lumen("check", "missing.lm", "--json", cwd=tmp_path)
    assert result.returncode == 1
    (only_line,) = result.stdout.strip().split("\n")
    diagnostics = json.loads(only_line)
    assert isinstance(diagnostics, list) and len(diagnostics) == 1
    assert set(diagnostics[0]) >= {"severity", "code", "message", "file", "line", "column",
                                   "end_line", "end_column"}


# ----------------------------------------------------------------------------- syntax errors

BROKEN = """\
cell main() -> Int
  let total = (1 + 2
  return total
end
"""


def test_check_reports_a_syntax_error_with_location_and_caret(tmp_path: Path) -> None:
    write(tmp_path, "broken.lm", BROKEN)
    result = lumen("check", "broken.lm", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stderr.split("\n")[0]
    assert first.startswith("broken.lm:"), result.stderr
    location, _, rest = first.partition(": error[E00")
    _, line, column = location.split(":")
    assert int(line) in (2, 3) and int(column) >= 1, first
    source_line = BROKEN.split("\n")[int(line) - 1]
    assert f"{int(line):>4} | {source_line}" in result.stderr
    assert "     | " in result.stderr and "^" in result.stderr


def test_check_json_reports_the_syntax_error(tmp_path: Path) -> None:
    write(tmp_path, "broken.lm", BROKEN)
    result = lumen("check", "broken.lm", "--json", cwd=tmp_path)
    assert result.returncode == 1
    diagnostics = json.loads(result.stdout)
    assert diagnostics and diagnostics[0]["file"] == "broken.lm"
    assert diagnostics[0]["severity"] == "error" and diagnostics[0]["code"].startswith("E00")


def test_run_json_reports_a_compile_failure_object(tmp_path: Path) -> None:
    write(tmp_path, "broken.lm", BROKEN)
    result = lumen("run", "broken.lm", "--json", cwd=tmp_path)
    assert result.returncode == 1
    failure = last_json_line(result.stdout)
    assert isinstance(failure, dict) and failure["ok"] is False
    error = failure["error"]
    assert error["kind"] == "compile" and error["file"] == "broken.lm"
    assert error["code"].startswith("E00"), error  # a syntax error, not a missing stage
    assert set(error) == {"kind", "code", "message", "file", "line", "column"}


def test_parse_json_dumps_nodes_with_spans(tmp_path: Path) -> None:
    write(tmp_path, "tiny.lm", "let x = 1\n")
    result = lumen("parse", "tiny.lm", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)
    assert tree["node"] == "Program"
    (item,) = tree["items"]
    assert item["node"] == "Let" and item["span"][0] == 1
    assert len(item["span"]) == 4


# ----------------------------------------------------------------------------- running

PROGRAM = """\
cell main() -> Int
  print("first")
  print("second")
  return 6 * 7
end
"""


def test_run_prints_output_then_the_result(tmp_path: Path) -> None:
    write(tmp_path, "prog.lm", PROGRAM)
    result = lumen("run", "prog.lm", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "first\nsecond\n42\n", "")


def test_run_json_success_line(tmp_path: Path) -> None:
    write(tmp_path, "prog.lm", PROGRAM)
    result = lumen("run", "prog.lm", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[:2] == ["first", "second"]
    assert json.loads(lines[2]) == {"ok": True, "type": "Int", "value": 42}


def test_run_null_result_prints_nothing_extra(tmp_path: Path) -> None:
    write(tmp_path, "quiet.lm", 'cell main()\n  print("only this")\nend\n')
    result = lumen("run", "quiet.lm", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "only this\n")


def test_runtime_error_exits_2_with_json_failure(tmp_path: Path) -> None:
    write(tmp_path, "div.lm", 'cell main() -> Int\n  print("before")\n  let z = 0\n  return 1 / z\nend\n')
    result = lumen("run", "div.lm", "--json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[0] == "before"
    error = json.loads(lines[-1])["error"]
    assert error["kind"] == "runtime" and error["code"] == "division"
    assert "division by zero" in error["message"]
    assert "runtime error[division]: division by zero" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_example_from_the_readme_runs() -> None:
    result = lumen("run", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hello")
