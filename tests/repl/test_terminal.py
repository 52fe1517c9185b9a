"""`lumen repl` on a pseudo-terminal (issue 7, acceptance 4): prompt_toolkit input with
multi-line entries, a type error that leaves the session alive, `:type`, and history
kept across sessions."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

REPO = Path(__file__).resolve().parents[2]
PROMPT = "lumen>"  # prompt_toolkit moves the cursor instead of printing the trailing space
CONTINUATION = r"\.\.\.>"


def _spawn(data_home: Path) -> pexpect.spawn:
    env = dict(os.environ, XDG_DATA_HOME=str(data_home), NO_COLOR="1", TERM="xterm",
               PROMPT_TOOLKIT_NO_CPR="1", PYTHONPATH=str(REPO))
    child = pexpect.spawn(sys.executable, ["-m", "lumen", "repl"], env=env, cwd=str(REPO),
                          encoding="utf-8", timeout=30, dimensions=(40, 160))
    child.delaybeforesend = 0.01
    child.expect(PROMPT)
    return child


def _finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus or 0)


def test_session_on_a_terminal(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    try:
        child.send("cell double(n: Int) -> Int\r")
        child.expect(CONTINUATION)  # the cell is not closed yet: a continuation line
        child.send("n * 2\r")
        child.expect(CONTINUATION)
        child.send("end\r")
        child.expect(PROMPT)
        child.send("let base = double(20)\r")
        child.expect(PROMPT)
        child.send("double(base) + 2\r")
        child.expect("82 : Int")
        child.expect(PROMPT)
        child.send('double("twenty")\r')
        child.expect(r"<repl>:1:8: error\[E0200\]: type mismatch: expected Int, got String")
        child.expect(PROMPT)
        child.send("base + 2\r")  # still alive, bindings intact
        child.expect("42 : Int")
        child.expect(PROMPT)
        child.send(":type double\r")
        child.expect(r"double : fn\(Int\) -> Int")
        child.expect(PROMPT)
        child.send("40 + 2\r")
        child.expect("42 : Int")
        child.expect(PROMPT)
        child.sendcontrol("d")
        assert _finish(child) == 0
    finally:
        child.close(force=True)
    history = (tmp_path / "lumen" / "repl_history").read_text(encoding="utf-8")
    assert "+cell double(n: Int) -> Int\n+n * 2\n+end\n" in history  # one item per entry

    # A new session recalls the previous one's last entry with the Up arrow.
    child = _spawn(tmp_path)
    try:
        child.send("\x1b[A")
        child.send("\r")
        child.expect("42 : Int")
        child.expect(PROMPT)
        child.send(":quit\r")
        assert _finish(child) == 0
    finally:
        child.close(force=True)
