"""Recorded runs as test fixtures (§16.11, issue 6): `lumen test --record DIR` writes one
trace per test, `lumen test --replay DIR` serves every tool call of a test from its trace.

Naming is deterministic, so a recording is found again without a run-id index: the trace of
test `test_x` in `tests/chat.lm` is `DIR/tests/chat.lm/test_x.jsonl` (the file's path
relative to the project folder; the run id is the test's name, `block-L12` for the docs
block at line 12). `lumen trace show test_x --trace-dir DIR/tests/chat.lm` shows it.

Only files that declare tools get a session (a test that cannot call a tool needs no
recording). Under replay, a test that asks for a tool call with no recording, asks for a
different call than the recording holds, or makes fewer calls than were recorded fails with
the divergence message, even when the program caught the tool error itself.
The runtime's own pieces do the work: `TraceWriter`, `Replayer`, `RunSession`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LIVE = "live"  # tool calls go to the providers; nothing is recorded
RECORD = "record"
REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class RecordingSettings:
    """`mode` is LIVE, RECORD or REPLAY; `directory` holds the recordings; `project` is the
    folder recording paths are relative to."""

    mode: str = LIVE
    directory: Path | None = None
    project: Path = field(default_factory=Path.cwd)

    def trace_folder(self, source_path: str) -> Path:
        """The folder holding the recordings of the tests of `source_path`."""
        assert self.directory is not None
        return self.directory / _file_key(Path(source_path), self.project)


def _file_key(source: Path, project: Path) -> str:
    """The file's path relative to the project folder; a file outside it is keyed by its
    name and a short hash of its absolute path (still deterministic, never colliding)."""
    absolute = source.resolve()
    try:
        return absolute.relative_to(project.resolve()).as_posix()
    except ValueError:
        digest = hashlib.sha256(str(absolute).encode("utf-8")).hexdigest()[:10]
        return f"_outside/{absolute.name}-{digest}"


class FixtureReplayer:
    """The runtime's Replayer for one test, or none (no recording): remembers the first
    divergence so a test fails with it even if the program caught the tool error."""

    def __init__(self, inner: Any, directory: Path, missing: str | None = None,
                 recording: Path | None = None) -> None:
        self.inner = inner
        self.recording = recording  # the trace file served
        self.directory = directory  # the recordings folder, for the hint
        self.missing = missing  # why there is no recording (then `inner` is None)
        self.divergence: str | None = None

    def next_result(self, call: Any) -> Any:
        from lumen.runtime.calls import ToolError

        try:
            if self.inner is None:
                raise ToolError("ReplayDivergence", self.missing or "no recording")
            return self.inner.next_result(call)
        except ToolError as error:
            if error.kind == "ReplayDivergence":
                # The runtime's hint names `lumen run`; tests are recorded by `lumen test`.
                error.hint = f"record the tests again with `lumen test --record {self.directory}`"
                if self.divergence is None:
                    self.divergence = error.message
            raise

    def unused_message(self) -> str | None:
        """Set when the test made fewer tool calls than its recording holds."""
        if self.inner is None or not self.inner.unused():
            return None
        total = len(self.inner.calls)
        return (f"replay divergence: the test made {total - self.inner.unused()} of the "
                f"{total} tool calls of its recording {self.recording}")


class TestSession:
    """The tool session of one test run, and how its recording ends."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, session: Any, entry: str, replayer: FixtureReplayer | None) -> None:
        self.session = session
        self.entry = entry
        self.replayer = replayer

    def finish(self, error: Any = None, exit_status: int | None = None) -> str | None:
        """Record the end of the run (trace: `error` or `cell_end`, then `run_end`) and
        return the replay problem that fails the test, if any."""
        session = self.session
        tracer = getattr(session, "call_tracer", None)
        if tracer is not None:  # calls left open by exit(N) are closed as such
            tracer.finish(exited=exit_status is not None)
        if error is not None:
            session.event("error", cell=self.entry, message=str(getattr(error, "message", error)),
                          details={"kind": str(getattr(error, "kind", "runtime"))})
            session.close("error")
        else:
            session.event("cell_end", cell=self.entry)
            session.close("ok" if exit_status is None else f"exit {exit_status}")
        if self.replayer is None:
            return None
        return self.replayer.divergence or self.replayer.unused_message()


def open_test_session(settings: RecordingSettings, config: Any, source_path: str,
                      run_id: str) -> TestSession:
    """The session for one test run (`run_id`: the test's name). Raises TraceError when the
    recording cannot be written."""
    from lumen.runtime.recording import RunRecordingOptions, record_start
    from lumen.runtime.result_cache import ResultCache
    from lumen.runtime.session import RunSession

    collaborators: dict[str, Any] = {"cache": ResultCache()}
    replayer: FixtureReplayer | None = None
    if settings.mode == REPLAY:
        replayer = _fixture_replayer(settings.trace_folder(source_path), run_id,
                                     settings.directory or Path())
        collaborators["replayer"] = replayer
    elif settings.mode == RECORD:
        collaborators["trace"] = _trace_writer(settings.trace_folder(source_path), run_id,
                                               source_path, config)
    session = RunSession(config, **collaborators)
    record_start(session, RunRecordingOptions(source_path=source_path, entry=run_id))
    return TestSession(session, run_id, replayer)


def _fixture_replayer(folder: Path, run_id: str, directory: Path) -> FixtureReplayer:
    from lumen.runtime.replay import load_replayer
    from lumen.runtime.trace import TRACE_SUFFIX, TraceError

    path = folder / f"{run_id}{TRACE_SUFFIX}"
    if not path.is_file():
        return FixtureReplayer(None, directory, f"replay divergence: no recording of "
                                                f"{run_id} ({path} does not exist)")
    try:
        return FixtureReplayer(load_replayer(folder, str(path)), directory, recording=path)
    except TraceError as exc:  # a tampered or unreadable recording serves nothing
        return FixtureReplayer(None, directory, f"replay divergence: {exc}")


def _trace_writer(folder: Path, run_id: str, source_path: str, config: Any) -> Any:
    """A new trace `FOLDER/RUN_ID.jsonl`, replacing the one a previous recording left."""
    from lumen.runtime.trace import (
        TRACE_SUFFIX,
        TraceError,
        TraceWriter,
        api_key_env_names,
        hash_bytes,
        secret_values,
    )

    path = folder / f"{run_id}{TRACE_SUFFIX}"
    try:
        path.unlink(missing_ok=True)
        document = Path(source_path).read_bytes()
    except OSError as exc:
        raise TraceError(f"cannot replace trace file {path}: {exc.strerror or exc}") from None
    secrets = secret_values(api_key_env_names(getattr(config, "provider_settings", None) or {}))
    return TraceWriter(folder, run_id=run_id, doc_hash=hash_bytes(document), secrets=secrets)
