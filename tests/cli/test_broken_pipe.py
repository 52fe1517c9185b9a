"""A reader that closes stdout early (`lumen run FILE | head -1`) ends the run quietly:
no internal-error report, no crash file, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = """
cell main() -> Int
  for i in 0..20000
    print("line {i} of a long output")
  end
  return 42
end
"""


def test_closed_stdout_is_not_an_internal_error(tmp_path: Path) -> None:
    program = tmp_path / "many.lm"
    program.write_text(PROGRAM)
    env = {"LUMEN_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-m", "lumen", "run", str(program)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away after one line
    error = process.stderr.read().decode()
    process.wait(timeout=60)
    assert first.startswith(b"line 0")
    assert "internal error" not in error and "Traceback" not in error, error
    assert not list((tmp_path / "cache").glob("crash-*"))
