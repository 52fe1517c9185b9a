"""Docs-tests (§16.9): fenced `lumen` blocks checked by mode, reported at their line."""

from __future__ import annotations

from pathlib import Path

from lumen.testing.doctests import COMPILE_ERROR, UNKNOWN, parse_mode
from tests.testing.conftest import LumenTest

GUIDE = """\
# Guide

```lumen
cell bare_block_must_compile() -> Int = 1
```

```lumen run-ok
print("runs")
```

```lumen run-ok
let zero = 0
print(1 / zero)
```

```lumen compile-error(undefined variable)
cell f() -> Int = nope
```

```lumen compile-error(E0201)
cell g() -> Int = nope
```

```lumen compile-error(type mismatch)
cell h() -> Int = 1
```

```lumen skip
this is not lumen
```

```lumen no-test
neither is this
```

````text
```lumen
inside a longer fence: prose
```
````

```lumen compile-ok
cell broken( -> Int = 1
```

```LM frobnicate
cell k() -> Int = 1
```
"""


def test_every_mode_is_checked_and_reported_at_its_line(
        project: Path, lumen_test: LumenTest) -> None:
    (project / "guide.md").write_text(GUIDE)
    status, out, _ = lumen_test("guide.md")
    assert status == 1
    ok = [line.split()[1] for line in out.splitlines() if line.startswith("ok")]
    failed = [line.split(maxsplit=1)[1] for line in out.splitlines() if line.startswith("FAIL")]
    assert ok == ["guide.md:3", "guide.md:7", "guide.md:16", "guide.md:20"]
    assert failed == ["guide.md:11 (run-ok)", "guide.md:24 (compile-error)",
                      "guide.md:42 (compile-ok)", "guide.md:46 (unknown)"]
    assert out.splitlines()[-1] == "4 passed, 4 failed"
    assert "guide.md:13:7: runtime error[division]: division by zero" in out
    assert "should fail with a compile error containing 'type mismatch', but it compiles" in out
    assert "docs block at line 42 (compile-ok) does not compile" in out
    assert "guide.md:43:" in out  # the diagnostic points into the Markdown file
    assert "unknown docs-test mode 'frobnicate'" in out


def test_literate_program_runs_tests_and_only_blocks_with_a_mode(
        project: Path, lumen_test: LumenTest) -> None:
    # Bare blocks are one program (the second uses the first's record); alone they would
    # not compile, so they are not docs-tests of their own.
    (project / "story.lm.md").write_text("""\
# A story

```lumen
record Point
  x: Int
end
```

```lumen
cell test_point()
  assert_eq(Point(x: 2).x, 2)
end
```

```lumen run-ok
print("a block that runs on its own")
```
""")
    status, out, _ = lumen_test("story.lm.md")
    assert status == 0, out
    assert "ok   story.lm.md::test_point" in out and "ok   story.lm.md:15 (run-ok)" in out
    assert out.splitlines()[-1] == "2 passed, 0 failed"


def test_plain_markdown_in_a_folder_is_not_scanned(project: Path, lumen_test: LumenTest) -> None:
    (project / "README.md").write_text("```lumen\nnot lumen\n```\n")
    (project / "doc.lm.md").write_text("```lumen compile-error(undefined)\nlet y = nope\n```\n")
    status, out, _ = lumen_test(".")
    assert status == 0, out
    assert "README" not in out and out.splitlines()[-1] == "1 passed, 0 failed"


def test_filter_by_mode(project: Path, lumen_test: LumenTest) -> None:
    (project / "guide.md").write_text(GUIDE)
    status, out, _ = lumen_test("guide.md", "--filter", "run-ok")
    assert status == 1 and out.splitlines()[-1] == "1 passed, 1 failed"


def test_info_string_modes() -> None:
    assert parse_mode("") == (None, None)
    assert parse_mode("compile-error( \"no such cell\" )") == (COMPILE_ERROR, "no such cell")
    assert parse_mode("compile-error") == (COMPILE_ERROR, None)
    assert parse_mode("run_ok") == (UNKNOWN, "run_ok")
