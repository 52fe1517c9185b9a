"""Cells of imported modules that share a name with another module's top-level name are
lowered under qualified names (lumen.modules.rename), so each module keeps its own."""

from __future__ import annotations

from pathlib import Path

from lumen.driver import RunOptions, check_file, run_file


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root / "main.lm"


def run(root: Path, files: dict[str, str], jit: bool = False) -> object:
    outcome = run_file(write(root, files), RunOptions(jit=jit))
    assert outcome.compilation.ok, [d.message for d in outcome.compilation.diagnostics]
    assert outcome.error is None, outcome.error
    return outcome.value


def test_a_program_may_declare_a_name_that_std_uses_internally(tmp_path: Path) -> None:
    main = ("import std.strings: lines, truncate\n"
            "cell words(s: String) -> Int = 42\n"  # std.strings has its own `words`
            "cell main() -> list[Any] = [words(\"a b\"), lines(\"x\\ny\"), truncate(\"abcdef\", 4)]\n")
    assert run(tmp_path, {"main.lm": main}) == [42, ["x", "y"], "a..."]


def test_the_entry_imports_one_of_two_same_named_cells(tmp_path: Path) -> None:
    files = {"main.lm": "import a: helper\nimport b: fb\ncell main() -> list[Int] = [helper(), fb()]\n",
             "a.lm": "cell helper() -> Int = 1\n",
             "b.lm": "cell helper() -> Int = 2\ncell fb() -> Int = helper() * 10\n"}
    assert run(tmp_path, files) == [1, 20]


def test_importers_of_a_renamed_cell_follow_it(tmp_path: Path) -> None:
    files = {"main.lm": "import c: fc\nimport d: fd\ncell helper() -> Int = 100\n"
                        "cell main() -> list[Int] = [fc(), fd(), helper()]\n",
             "a.lm": "cell helper() -> Int = 1\n",
             "c.lm": "import a: helper\ncell fc() -> Int = helper() + 1\n",
             "d.lm": "import a: helper as h\ncell fd() -> Int = h() + 2\n"}
    assert run(tmp_path, files) == [2, 3, 100]


def test_renamed_cells_run_in_every_tier(tmp_path: Path) -> None:
    files = {"main.lm": "import a: total\ncell step(x: Int) -> Int = x\n"
                        "cell main() -> Int = total(2000) + step(1)\n",
             "a.lm": "cell step(x: Int) -> Int = x * 2\n"
                     "cell total(n: Int) -> Int\n  let mut s = 0\n  for i in 0..n\n"
                     "    s += step(i)\n  end\n  return s\nend\n"}
    expected = sum(2 * i for i in range(2000)) + 1
    assert run(tmp_path, files) == expected
    assert run(tmp_path, files, jit=True) == expected


def test_a_runtime_error_in_a_renamed_cell_names_its_file_and_line(tmp_path: Path) -> None:
    files = {"main.lm": "import a: fa\ncell boom() -> Int = 0\ncell main() -> Int = fa() + boom()\n",
             "a.lm": "cell boom() -> Int = 1 / 0\ncell fa() -> Int = boom()\n"}
    outcome = run_file(write(tmp_path, files), RunOptions(jit=False))
    assert outcome.error is not None and outcome.error.kind == "division"
    assert Path(outcome.error.file or "").name == "a.lm" and outcome.error.line == 1


def test_records_with_the_same_name_are_still_reported(tmp_path: Path) -> None:
    files = {"main.lm": "import a: fa\nrecord Box\n  w: Int\nend\ncell main() -> Int = fa()\n",
             "a.lm": "record Box\n  h: Int\nend\ncell fa() -> Int = Box(h: 1).h\n"}
    errors = [(d.code, Path(d.file).name) for d in check_file(write(tmp_path, files)).errors]
    assert errors == [("E0105", "main.lm")]
