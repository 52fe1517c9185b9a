"""`lumen run --checkpoint-at N` / `--restore FILE`: a run paused into a file and continued
from it prints exactly what the uninterrupted run prints; damaged or foreign checkpoint
files are diagnostic E0904, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.cli.main import run_cli

PROGRAM = """
record Point
  x: Int
  y: Int
end

cell shift(p: Point, d: Int) -> Point
  return Point(x: p.x + d, y: p.y - d)
end

cell label(n: Int) -> String
  return "n=" + to_string(n)
end

cell main() -> Int
  let mut points: list[Point] = []
  let mut names = ""
  let scale = fn(v: Int) -> Int => v * 3
  for i in 0..5
    let p = shift(Point(x: i, y: 10), scale(i))
    points = append(points, p)
    names = names + label(i) + ";"
    print(label(p.x + p.y))
  end
  print(names)
  return points[4].x + points[2].y
end
"""

FAILING = """
cell part(i: Int) -> Int
  print(i)
  return 10 / (3 - i)
end

cell main() -> Int
  let mut s = 0
  for i in 0..5
    s = s + part(i)
  end
  return s
end
"""


def lumen(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = run_cli(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "prog.lm").write_text(PROGRAM)
    (tmp_path / "failing.lm").write_text(FAILING)


def test_paused_then_restored_prints_what_one_run_prints(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, whole, _ = lumen(capsys, "run", "prog.lm")
    assert status == 0
    assert whole.splitlines()[-1] == "20"  # points[4].x (16) + points[2].y (4)
    paused_at = []
    for n in range(1, 40):
        status, before, err = lumen(capsys, "run", "prog.lm", "--checkpoint-at", str(n),
                                    "--checkpoint-file", "ck/state.ckpt")
        assert status == 0, err
        if "no checkpoint written" in err:  # the run ended first: it printed everything
            assert before == whole
            break
        assert "written to ck/state.ckpt" in err
        paused_at.append(n)
        status, after, err = lumen(capsys, "run", "prog.lm", "--restore", "ck/state.ckpt")
        assert status == 0, err
        assert before + after == whole, n
    assert len(paused_at) >= 10  # every call of the run was a place to pause


def test_a_runtime_error_after_restoring_is_reported_at_its_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Calls: main, part(0), part(1): the run stops as part(1) is entered.
    status, before, _ = lumen(capsys, "run", "failing.lm", "--checkpoint-at", "3")
    assert status == 0 and before == "0\n"
    assert Path(".lumen/checkpoint/failing.ckpt").is_file()
    status, after, err = lumen(capsys, "run", "failing.lm", "--restore",
                               ".lumen/checkpoint/failing.ckpt")
    assert status == 2
    assert after == "1\n2\n3\n"
    assert "division by zero" in err and "failing.lm:4:" in err and "Traceback" not in err


def test_a_checkpoint_belongs_to_its_program(capsys: pytest.CaptureFixture[str]) -> None:
    lumen(capsys, "run", "prog.lm", "--checkpoint-at", "4")
    status, out, err = lumen(capsys, "run", "failing.lm", "--restore",
                             ".lumen/checkpoint/prog.ckpt")
    assert status == 1 and out == ""
    assert "error[E0904]" in err and "different program" in err
    assert "hint:" in err


@pytest.mark.parametrize("content", [b"", b"garbage\n", b"\x93\x01\x02\x03", None])
def test_damaged_or_missing_checkpoints_are_diagnostics(
        capsys: pytest.CaptureFixture[str], content: bytes | None) -> None:
    if content is not None:
        Path("bad.ckpt").write_bytes(content)
    else:  # a truncated real checkpoint
        lumen(capsys, "run", "prog.lm", "--checkpoint-at", "4")
        data = Path(".lumen/checkpoint/prog.ckpt").read_bytes()
        Path("bad.ckpt").write_bytes(data[: len(data) // 2])
    status, out, err = lumen(capsys, "run", "prog.lm", "--restore", "bad.ckpt")
    assert status == 1 and out == ""
    assert "bad.ckpt" in err and "error[E0904]" in err and "Traceback" not in err
    status, _, err = lumen(capsys, "run", "prog.lm", "--restore", "missing.ckpt")
    assert status == 1 and "error[E0904]" in err and "cannot read" in err


@pytest.mark.parametrize("extra", [
    ["--checkpoint-at", "2", "--restore", "x.ckpt"],
    ["--checkpoint-file", "x.ckpt"],
    ["--checkpoint-at", "2", "--json"],
    ["--checkpoint-at", "2", "--max-steps", "100"],
])
def test_option_combinations_that_make_no_sense_are_usage_errors(
        capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    status, _, err = lumen(capsys, "run", "prog.lm", *extra)
    assert status == 64, err


def test_programs_with_tools_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    Path("tools.lm").write_text('use tool http.get as fetch\n\ncell main() -> Int\n  return 1\nend\n')
    status, _, err = lumen(capsys, "run", "tools.lm", "--checkpoint-at", "1")
    assert status == 1 and "error[E0904]" in err and "tool" in err
