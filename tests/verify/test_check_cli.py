"""`lumen check` with verification, driven as a real subprocess (exit codes, rendering)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

VIOLATED = """\
cell take(n: Int) -> Int where n >= 0 and n <= 100
  n
end

cell main()
  let x = 5
  if x > 2
    print(take(x - 10))
  end
end
"""

DISCHARGED = VIOLATED.replace("take(x - 10)", "take(x + 10)")


def lumen(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=60)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prog.lm"
    path.write_text(text, encoding="utf-8")
    return path


def test_violated_precondition_is_a_compile_error_with_position_and_counterexample(tmp_path: Path) -> None:
    path = write(tmp_path, VIOLATED)
    result = lumen("-m", "lumen", "check", "--verify", str(path))
    assert result.returncode == 1, result.stderr
    output = result.stdout + result.stderr
    assert f"{path}:8:11: error[E0800]" in output
    assert "precondition `n >= 0 and n <= 100`" in output
    assert "^^^" in output  # the caret under the call
    assert "hint: with n = -5, `n >= 0` is false; counterexample: x = 5 (bound)" in output


def test_json_output_and_no_verify(tmp_path: Path) -> None:
    path = write(tmp_path, VIOLATED)
    result = lumen("-m", "lumen", "check", "--json", str(path))
    assert result.returncode == 1
    (diagnostic,) = json.loads(result.stdout.strip().splitlines()[-1])
    assert (diagnostic["code"], diagnostic["line"], diagnostic["column"]) == ("E0800", 8, 11)
    skipped = lumen("-m", "lumen", "check", "--no-verify", str(path))
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr


def test_discharged_precondition_is_silent(tmp_path: Path) -> None:
    result = lumen("-m", "lumen", "check", str(write(tmp_path, DISCHARGED)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def test_verbose_notes_unverifiable_constraints(tmp_path: Path) -> None:
    text = "cell odd(n: Int) -> Int where n % 2 == 1\n  n\nend\n\ncell main()\n  odd(4)\nend\n"
    path = write(tmp_path, text)
    quiet = lumen("-m", "lumen", "check", str(path))
    assert quiet.returncode == 0 and quiet.stdout + quiet.stderr == ""
    verbose = lumen("-m", "lumen", "check", "--verbose", str(path))
    assert verbose.returncode == 0
    assert "note[E0805]" in verbose.stdout + verbose.stderr
    assert "precondition of 'odd' is not fully verified" in verbose.stdout + verbose.stderr


def test_run_never_verifies_nor_imports_z3(tmp_path: Path) -> None:
    """`lumen run` skips the pass: the runtime check is what a run sees, and the solver's
    import cost is never paid."""
    path = write(tmp_path, VIOLATED)
    result = lumen("-X", "importtime", "-m", "lumen", "run", str(path))
    assert "E0800" not in result.stdout + result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "lumen.driver" in imported and "z3" not in imported


def test_cached_results_match_and_follow_edits(tmp_path: Path) -> None:
    """A second check of an unchanged file answers from the caches with the same report; an
    edited file is verified again."""
    from lumen import cache
    from lumen.compile_cache import toolchain_fingerprint
    from lumen.verify import result_cache

    path = write(tmp_path, VIOLATED)  # a new path: nothing cached for it yet
    first = lumen("-m", "lumen", "check", str(path))
    second = lumen("-m", "lumen", "check", str(path))
    assert first.returncode == second.returncode == 1
    assert "E0800" in first.stderr + first.stdout
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)
    key = result_cache.key(str(path), VIOLATED, toolchain_fingerprint(), verbose=False)
    if not cache.disabled():
        assert result_cache.lookup(key) is not None
    path.write_text(DISCHARGED, encoding="utf-8")
    edited = lumen("-m", "lumen", "check", str(path))
    assert edited.returncode == 0, edited.stdout + edited.stderr


def test_check_of_a_file_without_constraints_does_not_import_z3(tmp_path: Path) -> None:
    path = write(tmp_path, "cell main()\n  print(1)\nend\n")
    result = lumen("-X", "importtime", "-m", "lumen", "check", str(path))
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "lumen.driver" in imported and "z3" not in imported
    # The control: with a constraint to verify, the same measurement does see z3.
    verified = lumen("-X", "importtime", "-m", "lumen", "check", str(write(tmp_path, DISCHARGED)))
    assert "z3" in {line.split("|")[-1].strip() for line in verified.stderr.splitlines() if "|" in line}
