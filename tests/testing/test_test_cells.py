"""`lumen test` over test cells: pass/fail rules, the failure report, filter, isolation,
discovery and exit statuses (§16.9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.conftest import LumenTest

MATH = """\
cell add(a: Int, b: Int) -> Int = a + b

cell test_add()
  assert_eq(add(2, 2), 4)
end

cell test_returns_true() -> Bool
  return add(1, 1) == 2
end

@test
cell marked_by_attribute()
  assert(add(0, 0) == 0)
end

cell helper_not_a_test() -> Int = 3
"""

FAILING = """\
cell add(a: Int, b: Int) -> Int = a + b

cell test_wrong_sum()
  print("about to check")
  assert_eq(add(2, 2), 5)
end

cell test_returns_false() -> Bool
  return add(1, 1) == 3
end

cell test_divides()
  let zero = add(0, 0)
  print(10 / zero)
end

cell test_passes()
  assert_ne(1, 2)
end
"""


def test_passing_tests_and_the_summary_line(project: Path, lumen_test: LumenTest) -> None:
    (project / "math.lm").write_text(MATH)
    status, out, _ = lumen_test("math.lm")
    lines = out.splitlines()
    assert status == 0
    assert lines[-1] == "3 passed, 0 failed"
    ran = [line.split()[1] for line in lines if line.startswith("ok")]
    assert ran == ["math.lm::test_add", "math.lm::test_returns_true",
                   "math.lm::marked_by_attribute"]
    assert "helper_not_a_test" not in out


def test_failing_assert_eq_shows_source_line_and_both_values(
        project: Path, lumen_test: LumenTest) -> None:
    (project / "f.lm").write_text(FAILING)
    status, out, _ = lumen_test("f.lm", "--filter", "wrong_sum")
    assert status == 1
    report = out[out.index("---- FAIL f.lm::test_wrong_sum"):]
    assert "f.lm:5:3: runtime error[assertions]: assert_eq failed: 4 != 5" in report
    assert "   5 |   assert_eq(add(2, 2), 5)\n     |   ^" in report
    assert "  actual:   4\n  expected: 5" in report
    assert "  output:\n    about to check" in report  # a failing test shows what it printed
    assert out.splitlines()[-1] == "0 passed, 1 failed"


def test_false_result_and_runtime_error_fail(project: Path, lumen_test: LumenTest) -> None:
    (project / "f.lm").write_text(FAILING)
    status, out, _ = lumen_test("f.lm")
    assert status == 1
    assert out.splitlines()[-1] == "1 passed, 3 failed"
    assert "f.lm:8:1: test failed: test 'test_returns_false' returned false" in out
    assert "   8 | cell test_returns_false() -> Bool" in out
    assert "f.lm:14:9: runtime error[division]: division by zero" in out
    assert "    at test_divides (f.lm:14)" in out
    assert "ok   f.lm::test_passes" in out


def test_passing_output_is_not_shown(project: Path, lumen_test: LumenTest) -> None:
    (project / "p.lm").write_text('cell test_prints()\n  print("quiet please")\nend\n')
    status, out, err = lumen_test("p.lm")
    assert status == 0 and "quiet please" not in out + err


def test_filter_selects_by_name(project: Path, lumen_test: LumenTest) -> None:
    (project / "math.lm").write_text(MATH)
    status, out, _ = lumen_test("math.lm", "--filter", "returns")
    assert status == 0
    assert "test_returns_true" in out and "test_add" not in out
    assert out.splitlines()[-1] == "1 passed, 0 failed"


def test_each_test_runs_in_a_fresh_vm(project: Path, lumen_test: LumenTest) -> None:
    # Process state lives in the VM's runtime, keyed by instance id: a shared VM would
    # hand the second test instance 2, or instance 1 with the first test's entries.
    (project / "iso.lm").write_text("""\
memory Notes
end

cell test_first()
  let n = Notes()
  n.append("first")
  assert_eq(n.recent(10), ["first"])
  assert_eq(n.__instance_id, 1)
end

cell test_second()
  let n = Notes()
  n.append("second")
  assert_eq(n.recent(10), ["second"])
  assert_eq(n.__instance_id, 1)
end
""")
    status, out, _ = lumen_test("iso.lm")
    assert (status, out.splitlines()[-1]) == (0, "2 passed, 0 failed"), out


def test_a_file_that_does_not_compile_is_a_failure(project: Path, lumen_test: LumenTest) -> None:
    (project / "good.lm").write_text(MATH)
    (project / "bad.lm").write_text("cell test_x()\n  return nope\nend\n")
    status, out, _ = lumen_test(".")
    assert status == 1
    assert "FAIL bad.lm\n" in out
    assert "bad.lm:2:10: error[E0201]: undefined variable 'nope'" in out
    assert "   2 |   return nope" in out
    assert out.splitlines()[-1] == "3 passed, 1 failed"


def test_test_cell_with_parameters_fails_clearly(project: Path, lumen_test: LumenTest) -> None:
    (project / "p.lm").write_text("cell test_needs(x: Int)\n  assert(x > 0)\nend\n")
    status, out, _ = lumen_test("p.lm")
    assert status == 1
    assert "test cell 'test_needs' has parameters" in out


def test_nonzero_exit_fails_the_test(project: Path, lumen_test: LumenTest) -> None:
    (project / "e.lm").write_text("cell test_exits()\n  exit(3)\nend\n")
    status, out, _ = lumen_test("e.lm")
    assert status == 1 and "the test called exit(3)" in out


def test_project_folder_is_the_default(project: Path, lumen_test: LumenTest,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "lumen.toml").write_text("")
    for folder in ("src", "tests", "scratch", "tests/.hidden"):
        (project / folder).mkdir(parents=True, exist_ok=True)
    (project / "src" / "lib.lm").write_text("cell test_in_src()\n  assert(true)\nend\n")
    (project / "tests" / "lib_test.lm").write_text("cell test_in_tests()\n  assert(true)\nend\n")
    (project / "tests" / "notes.md").write_text("```lumen\nnot lumen at all\n```\n")
    (project / "tests" / ".hidden" / "x.lm").write_text("cell test_hidden()\n  assert(false)\nend\n")
    (project / "scratch" / "other.lm").write_text("cell test_elsewhere()\n  assert(false)\nend\n")
    (project / "tests" / "deeper").mkdir()
    monkeypatch.chdir(project / "tests" / "deeper")  # the project is found from below
    status, out, _ = lumen_test()
    assert status == 0, out
    assert "test_in_src" in out and "test_in_tests" in out
    assert out.splitlines()[-1] == "2 passed, 0 failed"


def test_missing_path_is_a_usage_error(project: Path, lumen_test: LumenTest) -> None:
    status, _, err = lumen_test("no-such-folder")
    assert status == 64 and "does not exist" in err


def test_no_tests_found_passes_with_a_note(project: Path, lumen_test: LumenTest) -> None:
    status, out, err = lumen_test(".")
    assert (status, out.splitlines()[-1]) == (0, "0 passed, 0 failed")
    assert "no test files" in err


def test_json_report(project: Path, lumen_test: LumenTest) -> None:
    (project / "f.lm").write_text(FAILING)
    status, out, _ = lumen_test("f.lm", "--json")
    assert status == 1
    report = json.loads(out)
    assert (report["passed"], report["failed"]) == (1, 3)
    by_name = {t["name"]: t for t in report["tests"]}
    wrong = by_name["test_wrong_sum"]
    assert wrong["id"] == "f.lm::test_wrong_sum" and not wrong["passed"]
    assert wrong["failure"]["values"] == {"actual": "4", "expected": "5"}
    assert (wrong["failure"]["line"], wrong["failure"]["column"]) == (5, 3)
    assert wrong["failure"]["error_kind"] == "assertions"
    assert wrong["output"] == "about to check\n"
    assert by_name["test_passes"]["failure"] is None


def test_error_in_an_imported_module_shows_that_modules_line(
        project: Path, lumen_test: LumenTest) -> None:
    (project / "helpers.lm").write_text("pub cell ratio(a: Int, b: Int) -> Int\n  return a / b\nend\n")
    (project / "use_test.lm").write_text(
        "import helpers: ratio\n\ncell test_ratio()\n  assert_eq(ratio(4, 0), 1)\nend\n")
    status, out, _ = lumen_test("use_test.lm")
    assert status == 1
    assert "helpers.lm:2:10: runtime error[division]: division by zero" in out
    assert "   2 |   return a / b" in out
    assert "    at test_ratio (use_test.lm:4)" in out
