"""The run-level side of traces and replay, for the driver: build the run session's
trace / replay / cache collaborators from `lumen run` options, and record the run and
entry-cell events around the VM run.

- `--trace-dir DIR`: a new trace `DIR/RUN_ID.jsonl` (the run id is printed on stderr).
- `--replay RUN`: every tool call is served from RUN's recording (found in `--trace-dir`, or
  `.lumen/trace`); a replayed run records no new trace, so the folder keeps only originals.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lumen.runtime.trace import (
    DEFAULT_TRACE_DIR,
    TraceError,
    TraceWriter,
    api_key_env_names,
    hash_bytes,
    secret_values,
)


@dataclass(frozen=True, slots=True)
class RunRecordingOptions:
    """What `lumen run` asked for."""

    source_path: str
    source_text: str = ""
    entry: str = "main"
    program_args: tuple[str, ...] = ()
    trace_dir: str | None = None
    replay: str | None = None


def collaborators(options: RunRecordingOptions, config: Any) -> dict[str, Any]:
    """`trace`, `replayer` and `cache` for RunSession (raises TraceError)."""
    from lumen.runtime.result_cache import ResultCache

    found: dict[str, Any] = {"cache": ResultCache()}
    if options.replay:
        from lumen.runtime.replay import load_replayer

        found["replayer"] = load_replayer(options.trace_dir or DEFAULT_TRACE_DIR, options.replay)
    elif options.trace_dir:
        secrets = secret_values(api_key_env_names(config.secret_settings()))
        found["trace"] = TraceWriter(options.trace_dir, doc_hash=_doc_hash(options),
                                     secrets=secrets)
    return found


def open_recorded_session(options: RunRecordingOptions, start_dir: str | Path,
                          **session_options: Any) -> Any:
    """The run's RunSession with its collaborators, `run_start` and `cell_start` recorded.
    Raises ConfigError (lumen.toml) or TraceError (trace folder, recording to replay)."""
    from lumen.runtime.config import load_config
    from lumen.runtime.session import RunSession

    config_path = session_options.pop("config_path", None)
    overrides = session_options.pop("overrides", None)
    config = load_config(start_dir, config_path, overrides=overrides)
    session = RunSession(config, **collaborators(options, config), **session_options)
    record_start(session, options)
    return session


def record_start(session: Any, options: RunRecordingOptions) -> None:
    """`run_start` and the entry cell's `cell_start`."""
    from lumen import __version__

    session.event("run_start", details={
        "file": options.source_path, "entry": options.entry,
        "args": list(options.program_args), "lumen_version": __version__})
    session.event("cell_start", cell=options.entry)


def record_end(session: Any, options: RunRecordingOptions, *, error: Any = None,
               exit_status: int | None = None) -> None:
    """`cell_end` (or `error`), then the session writes `run_end` and closes the trace.
    Calls still open (ended by exit(N), or dropped by an effect handler) are closed first."""
    tracer = getattr(session, "call_tracer", None)
    if tracer is not None:
        tracer.finish(exited=exit_status is not None)
    if error is not None:
        session.event("error", cell=options.entry, message=str(getattr(error, "message", error)),
                      details={"kind": str(getattr(error, "kind", "runtime"))})
        session.close("error")
        return
    session.event("cell_end", cell=options.entry)
    session.close("ok" if exit_status is None else f"exit {exit_status}")
    replayer = getattr(session, "replayer", None)
    if replayer is not None and replayer.unused():
        # Not a divergence (every call asked for matched), but the run did less than the
        # recorded one: worth knowing when a replay is used as a test fixture.
        used = len(replayer.calls) - replayer.unused()
        print(f"lumen: warning: the replay used {used} of the {len(replayer.calls)} tool "
              f"calls recorded in run {replayer.run_id}", file=sys.stderr)


def trace_error_diagnostic(error: TraceError, file: str) -> Any:
    """A trace that cannot be written or a recording that cannot be replayed, as a
    diagnostic (nothing ran)."""
    from lumen.diagnostics import Diagnostic, ErrorCode
    from lumen.diagnostics.diagnostic import NO_SPAN

    code = ErrorCode.FILE_NOT_FOUND if error.missing else ErrorCode.FILE_UNREADABLE
    return Diagnostic(code=code.value, message=str(error), file=file, span=NO_SPAN)


def _doc_hash(options: RunRecordingOptions) -> str:
    try:
        return hash_bytes(Path(options.source_path).read_bytes())
    except OSError:
        return hash_bytes(options.source_text.encode("utf-8"))
