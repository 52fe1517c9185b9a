"""Multi-file programs (§15): import forms, resolution, errors, and running the result."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.driver import RunOptions, check_file, run_file
from lumen.modules.resolve import candidate_paths, relative_candidates, search_roots


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "main.lm"


def run(root: Path, files: dict[str, str]) -> object:
    outcome = run_file(write(root, files), RunOptions(jit=False))
    assert outcome.compilation.ok, [d.message for d in outcome.compilation.diagnostics]
    assert outcome.error is None, outcome.error
    return outcome.value


def errors(root: Path, files: dict[str, str]) -> list[tuple[str, str, int, str]]:
    compilation = check_file(write(root, files))
    return [(d.code, Path(d.file).name, d.line, d.message) for d in compilation.errors]


MATH = "cell square(x: Int) -> Int = x * x\ncell cube(x: Int) -> Int = x * square(x)\n"


def test_named_import(tmp_path: Path) -> None:
    main = "import mathutil: square, cube\ncell main() -> list[Int]\n  return [square(3), cube(2)]\nend\n"
    assert run(tmp_path, {"main.lm": main, "mathutil.lm": MATH}) == [9, 8]


def test_renamed_import_is_visible_only_under_its_new_name(tmp_path: Path) -> None:
    main = "import mathutil: square as sq\ncell main() -> Int\n  return sq(5)\nend\n"
    assert run(tmp_path, {"main.lm": main, "mathutil.lm": MATH}) == 25
    bad = "import mathutil: square as sq\ncell main() -> Int\n  return square(5)\nend\n"
    assert any("square" in message for *_, message in errors(tmp_path, {"main.lm": bad}))


def test_star_import_and_internal_helpers(tmp_path: Path) -> None:
    module = "cell helper(s: String) -> String = s + \"!\"\ncell shout(s: String) -> String = helper(upper(s))\n"
    main = "import text: *\ncell main() -> String\n  return shout(\"hi\")\nend\n"
    assert run(tmp_path, {"main.lm": main, "text.lm": module}) == "HI!"


def test_dotted_path_and_directory_module_files(tmp_path: Path) -> None:
    files = {
        "main.lm": "import lib.a: one\nimport lib.b: two\nimport lib.c: three\n"
                   "cell main() -> list[Int]\n  return [one(), two(), three()]\nend\n",
        "lib/a.lm": "cell one() -> Int = 1\n",
        "lib/b/mod.lm": "cell two() -> Int = 2\n",
        "lib/c/main.lm": "cell three() -> Int = 3\n",
    }
    assert run(tmp_path, files) == [1, 2, 3]


def test_record_alias_and_enum_variants(tmp_path: Path) -> None:
    module = ("record Point\n  x: Int\n  y: Int\nend\nenum Signal\n  Go\n  Stop\nend\n"
              "cell name(s: Signal) -> String\n  match s\n    Go -> return \"go\"\n"
              "    Stop -> return \"stop\"\n  end\nend\n")
    main = ("import shapes: Point as P, Signal, name\ncell main() -> list[Any]\n"
            "  let p = P(x: 1, y: 2)\n  return [p.x + p.y, name(Signal.Stop), name(Go)]\nend\n")
    assert run(tmp_path, {"main.lm": main, "shapes.lm": module}) == [3, "stop", "go"]


def test_type_alias_is_importable(tmp_path: Path) -> None:
    module = "type Score = Int\ncell best() -> Score = 10\n"
    main = "import scores: Score, best\ncell main() -> Score\n  return best()\nend\n"
    assert run(tmp_path, {"main.lm": main, "scores.lm": module}) == 10


def test_transitive_import_runs_each_module_once(tmp_path: Path) -> None:
    files = {
        "main.lm": "import a: fa\nimport b: fb\ncell main() -> Int\n  return fa() + fb()\nend\n",
        "a.lm": "import shared: base\ncell fa() -> Int = base() + 1\n",
        "b.lm": "import shared: base\ncell fb() -> Int = base() + 2\n",
        "shared.lm": "cell base() -> Int = 10\n",
    }
    assert run(tmp_path, files) == 23


def test_top_level_statements_of_imported_modules_do_not_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = "print(\"module side effect\")\ncell value() -> Int = 7\ncell main() -> Int = 99\n"
    main = "import noisy: value\ncell main() -> Int\n  return value()\nend\n"
    assert run(tmp_path, {"main.lm": main, "noisy.lm": module}) == 7
    assert "module side effect" not in capsys.readouterr().out


def test_search_roots_order_with_project_root(tmp_path: Path) -> None:
    (tmp_path / "lumen.toml").write_text("[package]\nname = \"@t/p\"\n")
    app = tmp_path / "app"
    files = {
        "app/main.lm": "import util: origin\nimport only_src: s\nimport only_root: r\n"
                       "cell main() -> list[String]\n  return [origin(), s(), r()]\nend\n",
        "app/util.lm": "cell origin() -> String = \"sibling\"\n",
        "src/util.lm": "cell origin() -> String = \"src\"\n",
        "src/only_src.lm": "cell s() -> String = \"src\"\n",
        "only_src.lm": "cell s() -> String = \"root\"\n",
        "only_root.lm": "cell r() -> String = \"root\"\n",
    }
    write(tmp_path, files)
    outcome = run_file(app / "main.lm", RunOptions(jit=False))
    assert outcome.value == ["sibling", "src", "root"]
    roots = tuple(root.resolve() for root in search_roots(app / "main.lm"))
    assert roots == (app.resolve(), (tmp_path / "src").resolve(), tmp_path.resolve())


def test_without_project_root_only_the_importing_directory_is_searched(tmp_path: Path) -> None:
    tried = candidate_paths(("a", "b"), tmp_path / "main.lm")
    assert tried[0] == tmp_path / "a" / "b.lm"
    assert len(tried) == len(relative_candidates(("a", "b"))) == 12
    assert tried[4].as_posix().endswith("a/b/mod.lm") and tried[-1].as_posix().endswith("a/b/main.lumen.md")


def test_module_not_found_lists_the_paths_tried(tmp_path: Path) -> None:
    found = errors(tmp_path, {"main.lm": "import nowhere.deep: x\ncell main() -> Int = 0\n"})
    assert [(code, file, line) for code, file, line, _ in found] == [("E0122", "main.lm", 1)]
    message = found[0][3]
    assert "module 'nowhere.deep' not found" in message
    for tried in ("nowhere/deep.lm", "nowhere/deep.lumen.md", "nowhere/deep/mod.lm", "nowhere/deep/main.lm"):
        assert tried in message


def test_circular_import_of_three_files_reports_the_chain(tmp_path: Path) -> None:
    files = {
        "main.lm": "import a: fa\ncell main() -> Int = fa()\n",
        "a.lm": "\nimport b: fb\ncell fa() -> Int = fb()\n",
        "b.lm": "\n\nimport c: fc\ncell fb() -> Int = fc()\n",
        "c.lm": "import a: fa\ncell fc() -> Int = 1\n",
    }
    found = errors(tmp_path, files)
    assert [(code, file, line) for code, file, line, _ in found] == [("E0121", "c.lm", 1)]
    message = found[0][3]
    assert "circular import detected: module 'a' is already being compiled" in message
    assert "chain: a -> b -> c -> a" in message
    for link in ("main.lm:1:1 imports 'a'", "a.lm:2:1 imports 'b'", "b.lm:3:1 imports 'c'", "c.lm:1:1 imports 'a'"):
        assert link in message


def test_symbol_not_found_and_unimportable_names(tmp_path: Path) -> None:
    module = "import other: helper\nconst LIMIT = 3\ncell f() -> Int = 1\n"
    files = {"main.lm": "import m: f, g, LIMIT, helper\ncell main() -> Int = f()\n",
             "m.lm": module, "other.lm": "cell helper() -> Int = 2\n"}
    found = errors(tmp_path, files)
    assert {(code, file, line) for code, file, line, _ in found} == {("E0123", "main.lm", 1)}
    assert sorted(message for *_, message in found) == [
        "imported symbol 'LIMIT' not found in module 'm'",
        "imported symbol 'g' not found in module 'm'",
        "imported symbol 'helper' not found in module 'm'",
    ]


def test_imported_name_clashing_with_a_local_declaration(tmp_path: Path) -> None:
    main = "import mathutil: square\ncell square(x: Int) -> Int = x\ncell main() -> Int = square(2)\n"
    found = errors(tmp_path, {"main.lm": main, "mathutil.lm": MATH})
    assert found and all(code == "E0105" for code, *_ in found)
    star = "import mathutil: *\ncell cube(x: Int) -> Int = x\ncell main() -> Int = cube(2)\n"
    found = errors(tmp_path, {"main.lm": star})
    assert [(code, file, line) for code, file, line, _ in found] == [("E0105", "main.lm", 1)]
    assert "'cube'" in found[0][3]


def test_diagnostics_of_an_imported_module_name_its_file(tmp_path: Path) -> None:
    files = {"main.lm": "import broken: f\ncell main() -> Int = f()\n",
             "broken.lm": "cell f() -> Int\n  return \"not an int\"\nend\n"}
    found = errors(tmp_path, files)
    assert found and {file for _, file, _, _ in found} == {"broken.lm"}


def test_runtime_error_inside_an_imported_module_names_that_file(tmp_path: Path) -> None:
    files = {"main.lm": "import boom: explode\ncell main() -> Int\n  return explode(0)\nend\n",
             "boom.lm": "cell explode(n: Int) -> Int\n  return 10 / n\nend\n"}
    outcome = run_file(write(tmp_path, files), RunOptions(jit=False))
    assert outcome.error is not None and outcome.error.kind == "division"
    assert outcome.error.file is not None and Path(outcome.error.file).name == "boom.lm"
    assert outcome.error.line == 2
    frames = [(frame.cell, Path(frame.file or "").name) for frame in outcome.error.stack]
    assert ("explode", "boom.lm") in frames and ("main", "main.lm") in frames


def test_each_module_keeps_its_own_directives(tmp_path: Path) -> None:
    files = {"main.lm": "import loose: f\ncell main() -> Int = f(2)\n",
             "loose.lm": "@strict false\ncell f(x) = x + 1\n"}
    assert run(tmp_path, files) == 3


def test_modules_sharing_a_top_level_cell_name_each_keep_their_own(tmp_path: Path) -> None:
    # Each imported module's `helper` is lowered under a qualified name (lumen.modules.rename).
    files = {"main.lm": "import a: fa\nimport b: fb\ncell main() -> Int = fa() * 10 + fb()\n",
             "a.lm": "cell helper() -> Int = 1\ncell fa() -> Int = helper()\n",
             "b.lm": "cell helper() -> Int = 2\ncell fb() -> Int = helper()\n"}
    assert run(tmp_path, files) == 12


def test_a_clash_that_cannot_be_renamed_safely_is_reported(tmp_path: Path) -> None:
    # `helper` is also a parameter name in b.lm: b's cell keeps its name (no renaming
    # without scope analysis), a's is renamed, so the program still works...
    files = {"main.lm": "import a: fa\nimport b: fb\ncell main() -> Int = fa() * 10 + fb(2)\n",
             "a.lm": "cell helper() -> Int = 1\ncell fa() -> Int = helper()\n",
             "b.lm": "cell helper(x: Int) -> Int = x\ncell fb(helper: Int) -> Int = helper\n"}
    assert run(tmp_path, files) == 12
    # ...but when neither can be renamed (a member call `x.helper()` in a.lm), it is E0105.
    files["a.lm"] = "cell helper(x: Int) -> Int = x\ncell fa() -> Int = 1.helper()\n"
    found = errors(tmp_path, files)
    assert [(code, file, line) for code, file, line, _ in found] == [("E0105", "b.lm", 1)]
    assert "'helper' is declared both in" in found[0][3]


def test_a_renaming_may_not_take_another_modules_name(tmp_path: Path) -> None:
    files = {"main.lm": "import a: fa\nimport b: fb as helper\ncell main() -> Int = fa() + helper()\n",
             "a.lm": "cell helper() -> Int = 1\ncell fa() -> Int = helper()\n",
             "b.lm": "cell fb() -> Int = 2\n"}
    found = errors(tmp_path, files)
    assert [(code, file, line) for code, file, line, _ in found] == [("E0105", "main.lm", 2)]


SHAPES = """record Box
  w: Int
end

cell area(w: Int, h: Int) -> Int = w * h
cell label(parts: list[String], sep: String?) -> String = join(parts, sep ?? ",")
cell widen(b: Box, by: Int) -> Box = Box(w: b.w + by)
cell first[T](xs: list[T]) -> T = xs[0]
"""


@pytest.mark.parametrize("call, where", [
    ('area("2", 3)', 3),
    ("area(w: 2, h: 3.5)", 3),
    ('label(["a"], 4)', 3),
])
def test_calls_of_imported_cells_are_type_checked(tmp_path: Path, call: str, where: int) -> None:
    main = f"import shapes: area, label\n\ncell main() -> Any\n  return {call}\nend\n"
    found = errors(tmp_path, {"main.lm": main, "shapes.lm": SHAPES})
    assert [(code, file, line) for code, file, line, _ in found] == [("E0200", "main.lm", where + 1)]


def test_imported_results_are_typed_and_aliases_and_stars_are_checked(tmp_path: Path) -> None:
    aliased = 'import shapes: area as a\n\ncell main() -> String\n  return a(1, 2)\nend\n'
    found = errors(tmp_path, {"main.lm": aliased, "shapes.lm": SHAPES})
    assert [code for code, *_ in found] == ["E0200"]  # Int returned where String is declared
    star = 'import shapes: *\n\ncell main() -> Int\n  return area(1, "x") + first([1])\nend\n'
    assert [code for code, *_ in errors(tmp_path, {"main.lm": star})] == ["E0200"]


def test_types_of_the_imported_module_are_any_in_the_importer(tmp_path: Path) -> None:
    # `Box` is imported too, so it is a known name (typed Any) here: `widen` is checked
    # for its Int parameter, and anything is accepted for its Box one.
    main = "import shapes: widen, Box\n\ncell main() -> Int\n  return widen(Box(w: 1), 2).w\nend\n"
    assert run(tmp_path, {"main.lm": main, "shapes.lm": SHAPES}) == 3
    wrong = main.replace("widen(Box(w: 1), 2)", 'widen(Box(w: 1), "2")')
    found = errors(tmp_path, {"main.lm": wrong})
    assert [(code, file, line) for code, file, line, _ in found] == [("E0200", "main.lm", 4)]
    # Not imported, `Box` would be unknown here: `widen` stays unchecked, never misreported.
    alone = "import shapes: widen\n\ncell main() -> Any\n  return widen(1, \"2\")\nend\n"
    assert errors(tmp_path, {"main.lm": alone}) == []
    assert run(tmp_path, {"main.lm": "import shapes: area, first\ncell main() -> Int\n  "
                                     "return area(2, 3) + first([4, 5])\nend\n"}) == 10
