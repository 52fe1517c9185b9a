"""`lumen trace list|show|step`: look at recorded runs (§16.11).

`step` is time travel over a run: one position (event) at a time with the Lumen call stack,
the tool calls so far and the outcome so far (lumen.runtime.timeline builds them; the
rendering here reuses `show`'s pretty lines).

Exit statuses: 0 success; 1 when the run cannot be found or read, when `--verify` finds
a broken chain (the first broken link is named), or when `step` is given a damaged trace
or a position that does not exist; 64 usage errors (click).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from lumen.cli.report import EXIT_COMPILE_ERROR, EXIT_OK

DEFAULT_TRACE_DIR = ".lumen/trace"  # also lumen.runtime.trace.DEFAULT_TRACE_DIR (lazy import)
EXIT_TRACE_PROBLEM = EXIT_COMPILE_ERROR
_DETAIL_CHARS = 160  # pretty output cuts long inputs/outputs at this many characters
_MAX_INDENT = 40  # deeper calls are shown at this depth (the number is in the event)
_STACK_INNERMOST = 20  # a deeper `step` stack shows these innermost calls,
_STACK_OUTERMOST = 5  # these outermost ones, and how many were left out between them

_trace_dir_option = click.option(
    "--trace-dir", default=DEFAULT_TRACE_DIR, show_default=True,
    type=click.Path(file_okay=False), help="Folder holding the recorded runs.")


@click.group("trace")
def trace_group() -> None:
    """Recorded runs: list them, show one, verify its hash chain, step through one."""


@trace_group.command("list")
@_trace_dir_option
def list_command(trace_dir: str) -> int:
    """List the runs recorded in the trace folder, oldest first."""
    from lumen.runtime.trace import TraceError, read_trace, trace_files

    try:
        files = trace_files(trace_dir)
    except TraceError as exc:
        return _fail(str(exc))
    if not files:
        click.echo(f"no runs recorded in {trace_dir}", err=True)
        return EXIT_OK
    rows = []
    for path in files:
        try:
            trace = read_trace(path)
        except TraceError as exc:
            rows.append((path.stem, "-", "unreadable", "-", "-", str(exc)))
            continue
        rows.append(_summary_row(trace))
    header = ("RUN", "STARTED", "STATUS", "EVENTS", "TOOL CALLS", "FILE")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, str(row[-1])]).rstrip())
    return EXIT_OK


@trace_group.command("show")
@click.argument("run")
@_trace_dir_option
@click.option("--verify", "--verify-chain", "verify_chain", is_flag=True,
              help="Check sequence numbers and hash links first; exit 1 on a broken chain.")
@click.option("--format", "output_format", type=click.Choice(["pretty", "json", "replay"]),
              default="pretty", show_default=True,
              help="One line per event for people, or as JSON; `replay`: one JSON line per "
                   "tool call with what a replay serves.")
def show_command(run: str, trace_dir: str, verify_chain: bool, output_format: str) -> int:
    """Print the events of RUN (a run id, a unique prefix of one, or a .jsonl path)."""
    from lumen.runtime.trace import TraceError, find_trace, read_trace, verify_log

    try:
        trace = read_trace(find_trace(trace_dir, run))
    except TraceError as exc:
        return _fail(str(exc))
    if verify_chain:
        problems = verify_log(trace)
        if problems:
            first = problems[0]
            more = f" ({len(problems) - 1} more problem(s) after it)" if len(problems) > 1 else ""
            return _fail(f"trace {trace.run_id}: chain broken at {trace.path}:{first.line}: "
                         f"{first.message}{more}")
        click.echo(f"trace {trace.run_id}: {len(trace.events)} events, chain verified", err=True)
    else:
        for problem in trace.problems:
            click.echo(f"lumen: warning: {trace.path}:{problem.line}: {problem.message}", err=True)
        if not trace.events and trace.problems:
            return _fail(f"trace {trace.run_id}: no event could be read from {trace.path}")
    if output_format == "replay":
        for event in trace.events:
            if event.get("kind") == "tool_call":
                click.echo(_json_line(_replay_view(event)))
        return EXIT_OK
    if output_format == "json":
        for event in trace.events:
            click.echo(_json_line(event))
        return EXIT_OK
    nesting = _CallNesting()
    for event in trace.events:
        click.echo(_pretty_line(event, nesting.depth_of(event)))
    return EXIT_OK


@trace_group.command("step")
@click.argument("run")
@_trace_dir_option
@click.option("--at", "at_seq", type=int, default=None, metavar="SEQ",
              help="Show the event with this sequence number (default: the last one).")
@click.option("--back", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Go N positions back from the end (or from --at).")
@click.option("--json", "as_json", is_flag=True, help="Print the position as one JSON object.")
def step_command(run: str, trace_dir: str, at_seq: int | None, back: int,
                 as_json: bool) -> int:
    """Time travel over RUN: the state of the run at one event, with its call stack.

    Without options it shows where the run ended (its error, if any). On a terminal, and
    without --at/--back/--json, it starts an interactive stepper there: n(ext), p(revious),
    g SEQ, q(uit)."""
    from lumen.runtime.timeline import TimelineError

    loaded = _load_timeline(trace_dir, run)
    if isinstance(loaded, int):
        return loaded
    timeline = loaded
    try:
        start = timeline.last if at_seq is None else timeline.index_of_seq(at_seq)
        index = timeline.step(start, -back) if back else start
    except TimelineError as exc:
        return _fail(str(exc))
    if as_json:
        from lumen.runtime.timeline import position_json

        click.echo(_json_line(position_json(timeline, timeline.positions[index])))
        return EXIT_OK
    view = _StepView(timeline)
    if at_seq is None and not back and _stdin_is_tty():
        return run_stepper(view, index, _read_command, click.echo)
    click.echo(view.render(index))
    return EXIT_OK


def _load_timeline(trace_dir: str, run: str) -> Any:
    """The timeline of RUN, or the exit status after a one-line diagnostic: a missing run,
    a line that is not JSON, a broken hash chain (named by seq and file line). A last line
    cut short by a crash is only a warning: the events before it are the run so far."""
    from lumen.runtime.timeline import build_timeline
    from lumen.runtime.trace import TraceError, find_trace, read_trace, verify_log

    try:
        trace = read_trace(find_trace(trace_dir, run))
    except TraceError as exc:
        return _fail(str(exc))
    problems = verify_log(trace)
    damage = [p for p in problems if not p.truncated]
    if damage:
        first = damage[0]
        # The seq the damaged line holds (or should hold): the events read before it.
        seq = sum(1 for line in trace.line_numbers if line < first.line)
        return _fail(f"trace {trace.run_id}: damaged at seq {seq} ({trace.path}:{first.line}):"
                     f" {first.message}; time travel needs an intact trace")
    for problem in problems:
        click.echo(f"lumen: warning: {trace.path}:{problem.line}: {problem.message}", err=True)
    if not trace.events:
        return _fail(f"trace {trace.run_id}: no event recorded in {trace.path}")
    return build_timeline(trace.run_id, trace.events)


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stdin
        return False


def _read_command() -> str | None:
    """One line from the terminal; None at end of input (Ctrl-D) or on Ctrl-C."""
    try:
        return input("step> ")
    except (EOFError, KeyboardInterrupt):
        click.echo()
        return None


_STEPPER_HELP = "n: next  p: previous  g SEQ: go to event SEQ  e: end  q: quit"


def run_stepper(view: _StepView, index: int, read_command: Any, write: Any) -> int:
    """The interactive stepper: show a position, read a command, move; until `q` or the
    end of input. `read_command()` returns a line or None; `write(text)` shows text."""
    from lumen.runtime.timeline import TimelineError

    timeline = view.timeline
    write(view.render(index))
    write(_STEPPER_HELP)
    while True:
        line = read_command()
        if line is None:
            return EXIT_OK
        words = line.split()
        command = words[0].lower() if words else "n"  # Enter steps forward
        try:
            if command in ("q", "quit", "exit"):
                return EXIT_OK
            if command in ("n", "next"):
                index = timeline.step(index, _count(words))
            elif command in ("p", "prev", "previous", "b", "back"):
                index = timeline.step(index, -_count(words))
            elif command in ("g", "go", "goto") and len(words) == 2:
                index = timeline.index_of_seq(int(words[1]))
            elif command in ("e", "end"):
                index = timeline.last
            elif command in ("s", "start"):
                index = 0
            else:
                write(_STEPPER_HELP)
                continue
        except (TimelineError, ValueError) as exc:
            write(f"  {exc}" if isinstance(exc, TimelineError) else f"  not a number: {line}")
            continue
        write(view.render(index))


def _count(words: list[str]) -> int:
    """`n 3` steps three positions; a bare `n` one."""
    return int(words[1]) if len(words) > 1 else 1


class _StepView:
    """Renders positions of one timeline like `trace show --format pretty`, plus the stack,
    the tool calls so far and the outcome."""

    def __init__(self, timeline: Any) -> None:
        self.timeline = timeline
        nesting = _CallNesting()
        self.depths = [nesting.depth_of(dict(p.event)) for p in timeline.positions]

    def render(self, index: int) -> str:
        position = self.timeline.positions[index]
        total = len(self.timeline)
        lines = [f"run {self.timeline.run_id}  position {index + 1} of {total}"
                 f"{'  (end of run)' if index == total - 1 else ''}",
                 _pretty_line(dict(position.event), self.depths[index])]
        if position.kind == "tool_call":
            lines.extend(_tool_call_block(position.last_tool_call))
        lines.extend(_stack_block("stack (innermost call first):", position.stack,
                                  position.stack_known))
        last = position.last_tool_call
        calls = f"tool calls so far: {position.tool_calls}"
        if last is not None and position.kind != "tool_call":
            calls += f" (last: #{last.seq} {last.tool_id} {last.status})"
        lines.append(calls)
        lines.extend(_outcome_block(position))
        return "\n".join(lines)


def _tool_call_block(call: Any) -> list[str]:
    if call is None:
        return []
    lines = [f"  inputs: {_short(call.inputs, as_json=True)}"]
    if call.status == "ok":
        lines.append(f"  output: {_short(call.output, as_json=True)}")
    elif call.error is not None:
        lines.append(f"  error: {_short(call.error, as_json=True)}")
    return lines


def _stack_block(title: str, stack: Any, known: bool = True) -> list[str]:
    if not known:
        return ["stack: unknown (call events were no longer recorded: max_call_events)"]
    if not stack:
        return ["stack: no Lumen call open"]
    lines = [title]
    shown = list(stack)
    hidden = len(shown) - _STACK_INNERMOST - _STACK_OUTERMOST
    if hidden > 0:  # deep recursion: the innermost calls and how the run got there
        shown = shown[:_STACK_INNERMOST] + [None] + shown[-_STACK_OUTERMOST:]
    for frame in shown:
        if frame is None:
            lines.append(f"  ... {hidden} more call(s)")
            continue
        entered = f"  (entered at #{frame.entered_seq})" if frame.entered_seq is not None else ""
        lines.append(f"  [{frame.depth}] {frame.cell}{entered}")
    return lines


def _outcome_block(position: Any) -> list[str]:
    outcome = position.outcome
    text = f"outcome: {outcome.status}"
    error = ": ".join(part for part in (outcome.error_kind, outcome.error_message) if part)
    if error:
        text += f" ({error})"
    lines = [text]
    # Where the error happened, when the stack at this position no longer shows it.
    if outcome.error_stack and outcome.error_stack != position.stack:
        lines.extend(_stack_block("error raised in (innermost call first):",
                                  outcome.error_stack))
    return lines


def _fail(message: str) -> int:
    sys.stdout.flush()
    click.echo(f"lumen: error: {message}", err=True)
    return EXIT_TRACE_PROBLEM


# ------------------------------------------------------------------------------ rendering


def _summary_row(trace: Any) -> tuple[str, str, str, str, str, str]:
    events = trace.events
    start = events[0] if events and events[0].get("kind") == "run_start" else {}
    end = next((e for e in reversed(events) if e.get("kind") == "run_end"), None)
    status = "incomplete"
    if end is not None:
        details = end.get("details") if isinstance(end.get("details"), dict) else {}
        status = str(details.get("status") or end.get("message") or "ended")
    if trace.problems:
        status += " (damaged)"
    start_details = start.get("details") if isinstance(start.get("details"), dict) else {}
    tool_calls = sum(1 for e in events if e.get("kind") == "tool_call")
    return (trace.run_id, str(start.get("timestamp") or "-"), status, str(len(events)),
            str(tool_calls), str(start_details.get("file") or ""))


def _replay_view(event: dict[str, Any]) -> dict[str, Any]:
    """A tool call as replay sees it: what was asked and what it answered."""
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    view = {"seq": event.get("seq"), "tool_id": event.get("tool_id"),
            "tool_version": event.get("tool_version"), "inputs": details.get("inputs")}
    if details.get("status") == "error":
        view["error"] = details.get("error")
    else:
        view["output"] = details.get("output")
    view["cached"] = bool(event.get("cached", False))
    return view


def _json_line(event: dict[str, Any]) -> str:
    import json

    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


class _CallNesting:
    """How deep in recorded calls each event happened, for indenting `trace show`: the
    `depth` a call_enter/call_exit carries, and one more than the last open call for the
    events between (tool calls, effects made inside a call)."""

    def __init__(self) -> None:
        self.inside = 0

    def depth_of(self, event: dict[str, Any]) -> int:
        details = event.get("details") if isinstance(event.get("details"), dict) else {}
        recorded = details.get("depth")
        kind = event.get("kind")
        if kind in ("call_enter", "call_exit") and isinstance(recorded, int) \
                and not isinstance(recorded, bool) and recorded >= 0:
            self.inside = recorded + 1 if kind == "call_enter" else recorded
            return recorded
        if kind in ("run_start", "cell_start", "cell_end", "run_end"):
            return 0
        return self.inside


def _pretty_line(event: dict[str, Any], depth: int = 0) -> str:
    """`#3  12:01:02.345  tool_call  Chat -> openai.chat ok 120 ms  {...} -> "hi"`; calls
    as `call_enter  | square` / `call_exit   | square ok 0.09 ms`, indented by depth."""
    kind = str(event.get("kind", "?"))
    timestamp = str(event.get("timestamp") or "")
    clock = timestamp[11:23] if len(timestamp) >= 23 else timestamp
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    parts: list[str] = []
    indent = "| " * min(depth, _MAX_INDENT)
    if kind in ("call_enter", "call_exit"):
        parts.append(str(event.get("cell") or "?"))
        if kind == "call_exit":
            status = str(details.get("status") or event.get("message") or "")
            if details.get("error"):
                status += f" ({details['error']})"
            parts.append(status)
            if isinstance(details.get("duration_ms"), int | float):
                parts.append(f"{details['duration_ms']} ms")
    elif kind == "tool_call":
        alias = details.get("alias")
        parts.append(f"{alias} -> {event.get('tool_id')}" if alias else str(event.get("tool_id")))
        status = str(details.get("status") or "")
        if event.get("cached"):
            status += " (cached)"
        parts.append(status)
        if event.get("latency_ms") is not None:
            parts.append(f"{event['latency_ms']} ms")
        parts.append(_short(details.get("inputs")))
        if details.get("status") == "ok":
            parts.append("-> " + _short(details.get("output"), as_json=True))
        elif event.get("message"):
            parts.append("-> " + str(event["message"]))
    else:
        if event.get("cell"):
            parts.append(str(event["cell"]))
        if event.get("message"):
            parts.append(str(event["message"]))
        if details:
            parts.append(" ".join(f"{k}={_short(v)}" for k, v in details.items()))
    body = "  ".join(p for p in parts if p)
    return f"#{event.get('seq', '?'):<4} {clock:<12}  {kind:<11} {indent}{body}"


def _short(value: Any, as_json: bool = False) -> str:
    from lumen.runtime.trace import canonical_json

    text = value if isinstance(value, str) and not as_json else canonical_json(value)
    return text if len(text) <= _DETAIL_CHARS else text[:_DETAIL_CHARS] + "..."
