"""REPL sessions in process: values and types, persistent bindings and declarations,
errors that leave the session usable, commands, and piped scripts."""

from __future__ import annotations

import io

import pytest

from lumen.repl.session import QuitRequest, ReplSession
from lumen.repl.terminal import run_plain


class Transcript:
    """A session whose values and diagnostics are captured separately."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.session = ReplSession(self.out, self.err, color=False)

    def run(self, text: str) -> tuple[bool, str, str]:
        """(succeeded, what went to `out`, what went to `err`) for one entry."""
        out_start, err_start = self.out.tell(), self.err.tell()
        ok = self.session.execute(text)
        return ok, self.out.getvalue()[out_start:], self.err.getvalue()[err_start:]


@pytest.fixture
def repl() -> Transcript:
    return Transcript()


def test_expressions_show_value_and_type(repl: Transcript) -> None:
    assert repl.run("40 + 2") == (True, "42 : Int\n", "")
    assert repl.run('"hi" ++ "!"')[1] == '"hi!" : String\n'
    assert repl.run("[1.5, 2.0]")[1] == "[1.5, 2.0] : list[Float]\n"
    assert repl.run("let x = 1")[1] == ""  # a statement shows nothing


def test_let_bindings_persist_with_their_types(repl: Transcript) -> None:
    repl.run("let names = [\"a\", \"b\"]")
    repl.run("let count = len(names)")
    assert repl.run("count * 10")[1] == "20 : Int\n"
    assert repl.run("names")[1] == '["a", "b"] : list[String]\n'
    repl.run("count = count + 1")
    assert repl.run("count")[1] == "3 : Int\n"
    repl.run("let (a, b) = (1, \"two\")")
    assert repl.run("b")[1] == '"two" : String\n'


def test_a_multi_line_cell_is_usable_later(repl: Transcript) -> None:
    assert repl.run("cell double(n: Int) -> Int\n  n * 2\nend") == (True, "", "")
    assert repl.run("double(21)")[1] == "42 : Int\n"
    repl.run("record Point\n  x: Int\n  y: Int\nend")
    repl.run("let p = Point(x: 1, y: 2)")
    assert repl.run("p.x + double(p.y)")[1] == "5 : Int\n"
    assert repl.run("p")[1] == "Point(x: 1, y: 2) : Point\n"


def test_a_type_error_is_a_diagnostic_at_the_entry_position(repl: Transcript) -> None:
    repl.run("cell double(n: Int) -> Int = n * 2")
    ok, out, err = repl.run('let a = 1\nlet b = double("x")')
    assert not ok and out == ""
    assert err.startswith("<repl>:2:16: error[E0200]: type mismatch: expected Int, got String\n")
    assert '   2 | let b = double("x")\n' in err
    assert "     |                ^^^\n" in err
    # the failed entry bound nothing; the session goes on
    assert "undefined variable 'a'" in repl.run("a")[2]
    assert repl.run("double(2)")[1] == "4 : Int\n"


def test_a_failed_entry_keeps_none_of_its_declarations(repl: Transcript) -> None:
    ok, _, err = repl.run("cell f() -> Int = 1\nlet y: String = 5")
    assert not ok and "E0200" in err
    assert repl.run("f()")[2].startswith("<repl>:1:1: error[E0102]: undefined cell 'f'")


def test_syntax_errors_use_the_entry_lines(repl: Transcript) -> None:
    ok, _, err = repl.run("let x = 1\nlet = 2")
    assert not ok
    assert err.startswith("<repl>:2:5: error[E0010]")
    assert "   2 | let = 2\n" in err


def test_runtime_error_leaves_earlier_bindings(repl: Transcript) -> None:
    repl.run("let total = 10")
    ok, out, err = repl.run("total = 99\n1 / 0")
    assert not ok and out == ""
    assert err.startswith("<repl>:2:1: runtime error[division]: division by zero\n")
    assert repl.run("total")[1] == "10 : Int\n"


def test_program_output_goes_to_stdout(repl: Transcript, capsys: pytest.CaptureFixture[str]) -> None:
    repl.run('for i in 1..=2\n  print("line {i}")\nend')
    assert capsys.readouterr().out == "line 1\nline 2\n"
    assert repl.out.getvalue() == ""  # a loop is not shown as a value


def test_function_values_are_carried(repl: Transcript) -> None:
    repl.run("let k = 10")
    repl.run("let add_k = fn(x: Int) => x + k")
    repl.run("let k = 20")  # the lambda keeps the value it captured
    assert repl.run("add_k(1)")[1] == "11 : Int\n"
    repl.run("let make = fn(n: Int) => fn(x: Int) => x * n")
    repl.run("let triple = make(3)")
    assert repl.run("[1, 2].map(triple)")[1] == "[3, 6] : list[Int]\n"
    repl.run("cell inc(n: Int) -> Int = n + 1")
    repl.run("let f = inc")
    repl.run("cell inc(n: Int) -> Int = n + 100")  # a redeclared cell replaces the old one
    assert repl.run("f(1)")[1] == "101 : Int\n"


def test_only_cells_of_entries_with_bound_lambdas_are_kept(repl: Transcript) -> None:
    repl.run("let g = fn(x: Int) => x")
    assert list(repl.session.kept_cells) == [1]
    repl.run("let g = 5")
    assert repl.session.kept_cells == {}


def test_process_state_lives_across_entries(repl: Transcript) -> None:
    repl.run("memory Notes\nend")
    repl.run("let notes = Notes()")
    repl.run('notes.append("a")')
    repl.run('notes.append("b")')
    assert repl.run("notes.recent(5)")[1].startswith('["a", "b"]')


def test_type_command_does_not_run(repl: Transcript, capsys: pytest.CaptureFixture[str]) -> None:
    repl.run("let xs = [1, 2]")
    assert repl.run(":type xs.map(fn(x: Int) => x * 0.5)")[1] == "xs.map(fn(x: Int) => x * 0.5) : list[Float]\n"
    assert repl.run(':type print("side effect")')[0]
    assert capsys.readouterr().out == ""
    ok, _, err = repl.run(":type let y = 1")
    assert not ok and "not an expression" in err
    ok, _, err = repl.run(":type nope + 1")
    assert not ok and "undefined variable 'nope'" in err


def test_commands(repl: Transcript) -> None:
    assert ":type EXPR" in repl.run(":help")[1]
    repl.run("let a = 1")
    assert repl.run(":bindings")[1] == "a : Int\n"
    assert repl.run(":reset")[0]
    assert repl.run(":bindings")[1] == "no bindings\n"
    ok, _, err = repl.run(":frobnicate")
    assert not ok and "unknown command ':frobnicate'" in err
    with pytest.raises(QuitRequest):
        repl.run(":quit")


def test_exit_ends_the_session_with_its_status(repl: Transcript) -> None:
    with pytest.raises(QuitRequest) as raised:
        repl.run("exit(3)")
    assert raised.value.status == 3


def test_piped_script_runs_entry_by_entry() -> None:
    script = io.StringIO(
        "cell square(n: Int) -> Int\n"
        "  n * n\n"
        "end\n"
        "let xs = [1,\n"
        "  2, 3]\n"
        "xs.map(square)\n"
        "square(\"no\")\n"
        "xs\n"
    )
    out, err = io.StringIO(), io.StringIO()
    status = run_plain(ReplSession(out, err, color=False), script)
    assert out.getvalue() == "[1, 4, 9] : list[Int]\n[1, 2, 3] : list[Int]\n"
    assert "error[E0200]" in err.getvalue()
    assert status == 1  # an entry failed


def test_piped_script_quit_status() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_plain(ReplSession(out, err, color=False), io.StringIO("1\n:quit\n2\n")) == 0
    assert out.getvalue() == "1 : Int\n"
