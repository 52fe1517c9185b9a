"""What a cached `lumen run` imports: the standard library's heavy modules stay out of the
run path (ARCHITECTURE.md "Start-up"), so that start-up is Lumen's own and small."""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("typing", "pathlib", "re", "threading", "random", "dataclasses", "inspect",
         "contextlib", "weakref", "heapq", "hashlib", "json", "lark", "msgpack", "click")

PROBE = """\
import sys
sys.path[:0] = {paths!r}
from lumen.cli.main import run_cli
status = run_cli(["run", "hello.lm"])
print("MODULES", status, " ".join(sorted(sys.modules)))
"""


def test_a_cached_run_imports_no_heavy_standard_module(tmp_path: Path) -> None:
    (tmp_path / "hello.lm").write_text('cell main() -> Null\n  print("hello")\n  return null\nend\n')
    paths = [str(REPO), *site.getsitepackages()]
    env = {"PATH": "/usr/bin:/bin", "LUMEN_CACHE_DIR": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-S", "-c", PROBE.format(paths=paths)], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
            for _ in range(2)]  # the first compiles, the second is a compile-cache hit
    output, _, modules_line = runs[1].stdout.rpartition("MODULES ")
    assert output == "hello\n", runs[1].stderr
    status, *modules = modules_line.split()
    assert status == "0"
    assert [name for name in HEAVY if name in modules] == []
