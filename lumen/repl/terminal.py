"""The REPL's input loops: prompt_toolkit on a terminal, plain lines otherwise.

On a terminal, Enter runs the entry once it is complete (lumen/repl/input.py) and
otherwise starts a new line with the same indentation; the whole entry is one history item,
kept across sessions in `$XDG_DATA_HOME/lumen/repl_history` (default
`~/.local/share/lumen/repl_history`). When stdin or stdout is not a terminal, lines are
read plainly with no prompt, so `lumen repl < script` works.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TextIO

from lumen.repl.input import EntryCollector, needs_more_input
from lumen.repl.session import QuitRequest, ReplSession

PROMPT = "lumen> "
CONTINUATION = "  ...> "


def history_path() -> Path:
    """Where the history of every session is kept (XDG base directory rules)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "lumen" / "repl_history"


def run_repl(color: bool | None = None, stdin: TextIO | None = None) -> int:
    """Run a session until `:quit` or end of input; returns the exit status."""
    stdin = stdin if stdin is not None else sys.stdin
    session = ReplSession(color=color)
    if _is_terminal(stdin) and _is_terminal(sys.stdout):
        return _interactive(session)
    return run_plain(session, stdin)


def run_plain(session: ReplSession, lines: TextIO) -> int:
    """Entries from `lines` with no prompt; the status is 1 when an entry failed."""
    collector = EntryCollector()
    failed = False
    try:
        for line in lines:
            entry = collector.feed(line.rstrip("\n"))
            if entry is not None:
                failed = not session.execute(entry) or failed
        last = collector.flush()
        if last is not None:
            failed = not session.execute(last) or failed
    except QuitRequest as request:
        return request.status
    return 1 if failed else 0


def _interactive(session: ReplSession) -> int:
    from lumen import __version__

    prompt = _prompt_session()
    session.out.write(f"Lumen {__version__}: :help for help, :quit or Ctrl-D to leave\n")
    while True:
        try:
            text = prompt.prompt(PROMPT)
        except KeyboardInterrupt:  # Ctrl-C at the prompt drops what was typed
            continue
        except EOFError:
            return 0
        try:
            session.execute(text)
        except QuitRequest as request:
            return request.status
        except KeyboardInterrupt:
            session.err.write("interrupted\n")


def _prompt_session() -> Any:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        if buffer.document.is_cursor_at_the_end and not needs_more_input(buffer.text):
            buffer.validate_and_handle()
            return
        current = buffer.document.current_line_before_cursor
        buffer.insert_text("\n" + current[: len(current) - len(current.lstrip())])

    def continuation(width: int, line_number: int, wrap_count: int) -> str:
        return CONTINUATION.rjust(width)

    return PromptSession(history=_history(), key_bindings=bindings, multiline=True,
                         prompt_continuation=continuation)


def _history() -> Any:
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:  # a read-only home: history for this session only
        return InMemoryHistory()
    return FileHistory(str(path))


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
