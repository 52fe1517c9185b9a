"""`lumen run FILE [ARGS...]` takes a path without click (lumen/cli/main.py): it must behave
exactly like the same command parsed by click (stdout, stderr, exit status)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lumen.cli import main as cli_main

STATUS = {"prints.lm": 0, "stderr.lm": 0, "compile_error.lm": 1, "runtime_error.lm": 2,
          "exits.lm": 3, "args.lm": 0, "folder.lm": 1, "absent.lm": 1}
PROGRAMS = {
    "prints.lm": 'cell main() -> Int\n  print("hello")\n  return 7\nend\n',
    "stderr.lm": 'cell main() -> Null\n  eprint("to stderr")\n  return null\nend\n',
    "compile_error.lm": "cell main() -> Int\n  return missing\nend\n",
    "runtime_error.lm": "cell main() -> Int\n  let xs = [1]\n  return xs[5]\nend\n",
    "exits.lm": "cell main() -> Int\n  exit(3)\n  return 0\nend\n",
    "args.lm": "cell main() -> list[String]\n  return args()\nend\n",
}


@pytest.fixture
def programs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    for name, text in PROGRAMS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "folder.lm").mkdir()
    return tmp_path


def test_plain_form_is_recognised() -> None:
    plain = cli_main.plain_run_arguments
    assert plain(["run", "x.lm"]) == ("x.lm", ())
    assert plain(["run", "x.lm", "a", "b"]) == ("x.lm", ("a", "b"))
    for args in (["run"], ["check", "x.lm"], ["run", "--json", "x.lm"], ["run", "x.lm", "--json"],
                 ["run", "x.lm", "--", "a"], ["run", "-", "x"], ["run", "x.lm", "-v"]):
        assert plain(args) is None, args


@pytest.mark.parametrize("name", [*PROGRAMS, "folder.lm", "absent.lm"])
def test_plain_run_matches_click(programs: Path, name: str, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = str(programs / name)
    extra = ["one", "two"] if name == "args.lm" else []
    taken: list[str] = []
    real_click = cli_main._run_click

    def via_click(args: list[str]) -> object:
        taken.append("click")
        return real_click(args)

    monkeypatch.setattr(cli_main, "_run_click", via_click)
    fast_status = cli_main.run_cli(["run", path, *extra])
    fast = capsys.readouterr()
    assert taken == []
    # `--cell main` is the default: the same command, parsed by click
    click_status = cli_main.run_cli(["run", "--cell", "main", path, *extra])
    slow = capsys.readouterr()
    assert taken == ["click"]
    assert (fast_status, fast.out, fast.err) == (click_status, slow.out, slow.err)
    assert fast_status == STATUS[name], fast.err


def test_an_unreadable_file_goes_through_click(programs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_main.os, "access", lambda path, mode: False)
    assert cli_main.plain_run_arguments(["run", str(programs / "prints.lm")]) is None
    assert cli_main.plain_run_arguments(["run", str(programs / "absent.lm")]) is not None


def test_plain_run_does_not_import_click(programs: Path) -> None:
    code = ("import sys; from lumen.cli.main import run_cli; "
            f"status = run_cli(['run', {str(programs / 'prints.lm')!r}]); "
            "print('click' in sys.modules, status)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.splitlines()[-1] == "False 0"
