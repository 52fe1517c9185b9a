"""When diagnostics are coloured: a terminal, NO_COLOR, FORCE_COLOR, `--color/--no-color`;
and colour changes nothing but the escape sequences (rich loaded only then)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lumen.diagnostics.render import set_color, should_use_color

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_choice(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")
    yield
    set_color(None)


def test_environment_decides_per_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    assert should_use_color(_Terminal()) and not should_use_color(io.StringIO())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert should_use_color(io.StringIO())
    monkeypatch.setenv("FORCE_COLOR", "0")
    assert not should_use_color(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not should_use_color(_Terminal())  # NO_COLOR wins over FORCE_COLOR


def test_an_explicit_choice_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    set_color(False)
    assert not should_use_color(_Terminal())
    set_color(True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert should_use_color(io.StringIO())
    set_color(None)
    assert not should_use_color(_Terminal())


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    program = tmp_path / "bad.lm"
    program.write_text("let total = 1\nprint(totl)\n", encoding="utf-8")
    probe = ("import sys\nfrom lumen.cli.main import run_cli\nstatus = run_cli(['check', sys.argv[1]])\n"
             "print('rich' in sys.modules, status)\n")
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", probe, str(program)], capture_output=True,
                          text=True, env=full_env, cwd=tmp_path, timeout=60)


def test_colour_only_adds_escapes_and_rich_loads_only_for_it(tmp_path: Path) -> None:
    plain = _check(tmp_path)
    assert plain.stdout == "False 1\n"  # piped: no colour, rich never imported
    assert plain.stderr.startswith(f"{tmp_path / 'bad.lm'}:2:7: error[E0201]: undefined variable 'totl'\n")
    coloured = _check(tmp_path, FORCE_COLOR="1")
    assert coloured.stdout == "True 1\n"
    assert ANSI.search(coloured.stderr)
    assert ANSI.sub("", coloured.stderr) == plain.stderr
