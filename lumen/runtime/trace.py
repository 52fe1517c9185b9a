"""Run traces (LANGUAGE.md §16.11): one JSON-lines file `DIR/RUN_ID.jsonl` per run.

Every event carries `seq`, `kind`, `prev_hash`, `hash` and `timestamp`; `hash` is
`"sha256:"` + the SHA-256 of the canonical JSON (sorted keys, no whitespace, UTF-8) of the
event's payload fields, and `prev_hash` is the previous event's hash (`"sha256:genesis"`
first), so editing, dropping or reordering any recorded byte breaks the chain. Timestamps
are outside the hash (a replayed or re-verified trace never depends on the clock).

What is stored (see SPEC.md "Traces"): hashes of inputs, outputs and policy in the hashed
fields, plus under `details` the full inputs and outputs a replay serves. Values of
secrets (environment variables named by `api_key_env`, or whose names look like keys)
are replaced by `[redacted]` before anything reaches the file. Each line is flushed as it
is written, so a crash loses at most the line being written.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

GENESIS = "sha256:genesis"
TRACE_SUFFIX = ".jsonl"
DEFAULT_TRACE_DIR = ".lumen/trace"
REDACTED = "[redacted]"

# The fields covered by `hash`, in the order of §16.11 (the canonical form sorts them).
HASHED_FIELDS = (
    "seq", "kind", "prev_hash", "doc_hash", "cell", "tool_id", "tool_version",
    "inputs_hash", "outputs_hash", "policy_hash", "latency_ms", "cached", "details", "message",
)
# §16.11's kinds, plus `effect` (an effect performed, issue 6). Readers accept any kind.
EVENT_KINDS = frozenset({
    "run_start", "cell_start", "cell_end", "call_enter", "call_exit", "tool_call",
    "schema_validate", "vm_step", "effect", "error", "run_end",
})
# Fields a writer may set besides the hashed ones (`hash` and `timestamp` are its own).
_WRITER_FIELDS = frozenset(HASHED_FIELDS) - {"seq", "kind", "prev_hash"}

# Environment variables whose values are secrets even when no `api_key_env` names them.
_SECRET_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$", re.IGNORECASE)
_MIN_SCRUB_LENGTH = 4  # shorter values would redact ordinary text by accident
_MIN_GUESSED_SECRET_LENGTH = 8


class TraceError(Exception):
    """A trace cannot be written or read (a user-facing problem, shown as a diagnostic).
    `missing`: the run or folder does not exist (rather than being unreadable)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


# ------------------------------------------------------------------------------ hashing


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII kept as UTF-8; the form every hash is over.
    NaN and infinities (not JSON) become the strings "NaN", "Infinity", "-Infinity"."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False, default=_json_fallback)
    except ValueError:
        return json.dumps(_finite(value), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False, allow_nan=False, default=_json_fallback)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def hash_json(value: Any) -> str:
    """`"sha256:<hex>"` of the canonical JSON of `value` (inputs, outputs, policies)."""
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def hash_bytes(data: bytes) -> str:
    """`"sha256:<hex>"` of raw bytes (the source document's `doc_hash`)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def event_hash(event: Mapping[str, Any]) -> str:
    """The `hash` an event must carry: over its payload fields only (absent ones omitted)."""
    return hash_json({name: event[name] for name in HASHED_FIELDS if name in event})


def _json_fallback(value: Any) -> Any:
    # Tool inputs are JSON already (§10.11); anything else is recorded by its text so a
    # stray non-JSON value can never abort a run mid-trace.
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


# ------------------------------------------------------------------------------ secrets


def secret_values(api_key_env_names: Iterable[str] = (),
                  environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The values to keep out of traces: every env var named by an `api_key_env`, plus every
    env var whose name ends like a credential (`..._API_KEY`, `..._TOKEN`, `..._SECRET`)."""
    env = os.environ if environ is None else environ
    declared = {v for name in api_key_env_names if (v := env.get(name))}
    # Guessed by name only: a short value ("1", "true") is more likely a flag than a key,
    # and redacting it everywhere would corrupt ordinary recorded values.
    guessed = {v for name, v in env.items()
               if _SECRET_NAME.search(name) and len(v) >= _MIN_GUESSED_SECRET_LENGTH}
    return frozenset(declared | guessed)


def api_key_env_names(settings: Any) -> list[str]:
    """Every value of a key `api_key_env` anywhere inside a (nested) settings mapping."""
    found: list[str] = []
    stack = [settings]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if key == "api_key_env" and isinstance(value, str):
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found


class Scrubber:
    """Replaces secret values inside any JSON value (strings equal to or containing one)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = frozenset(s for s in secrets if s)
        # Longest first, so a secret that contains another is removed whole.
        self._substrings = sorted((s for s in self.secrets if len(s) >= _MIN_SCRUB_LENGTH),
                                  key=len, reverse=True)

    def text(self, value: str) -> str:
        if value in self.secrets:
            return REDACTED
        for secret in self._substrings:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def value(self, value: Any) -> Any:
        if not self.secrets:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        return value


# ------------------------------------------------------------------------------ writing


def new_run_id() -> str:
    """Time-sortable and unique: `20261123T113639123Z-1a2b3c4d` (UTC, then random bits), so
    `lumen trace list` shows runs in the order they started by sorting names."""
    now = datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{uuid.uuid4().hex[:8]}"


def inputs_hash(call: Any) -> str:
    """What replay compares: the hash of a call's JSON argument map."""
    return hash_json(call.args)


def tool_call_fields(call: Any, *, result: Any = None, error: BaseException | None = None,
                     latency_ms: int | None = None, schema: Any = None) -> dict[str, Any]:
    """The fields of a `tool_call` event. `error` (a ToolError) marks a failed call;
    `schema`: the expected output of a typed call (`expect schema T`, §12.6)."""
    details: dict[str, Any] = {
        "alias": call.alias,
        "at": f"{call.file}:{call.line}:{call.column}",
        "inputs": call.args,
        "policy": call.policy,
    }
    if schema is not None:
        details["expect"] = _schema_text(schema)
    fields: dict[str, Any] = {
        "tool_id": call.tool_id,
        "tool_version": call.version,
        "inputs_hash": inputs_hash(call),
        "policy_hash": hash_json(call.policy),
        "details": details,
    }
    if getattr(call, "cell", ""):
        fields["cell"] = call.cell
    if error is not None:
        failure = {"kind": getattr(error, "kind", type(error).__name__),
                   "message": str(getattr(error, "message", "") or error)}
        hint = getattr(error, "hint", None)
        if hint:
            failure["hint"] = hint
        details.update(status="error", error=failure)
        attempts = getattr(error, "attempts", None)  # retries, repair attempts
        if attempts:
            details["attempts"] = attempts
        fields["outputs_hash"] = hash_json({"error": failure})
        fields["message"] = failure["message"]
        fields["latency_ms"] = latency_ms
        return fields
    details.update(status="ok", output=result.value, provider=result.provider,
                   tokens_in=result.tokens_in, tokens_out=result.tokens_out,
                   attempts=result.attempts)
    if getattr(result, "warnings", None):
        details["warnings"] = list(result.warnings)
    if getattr(result, "model", None):
        details["model"] = result.model
    if getattr(result, "tokens_estimated", False):
        details["tokens_estimated"] = True
    fields["outputs_hash"] = hash_json(result.value)
    fields["latency_ms"] = result.latency_ms if latency_ms is None else latency_ms
    fields["cached"] = bool(result.cached)
    return fields


def _schema_text(schema: Any) -> str:
    """`Invoice {vendor: String, total: Int}`: the expected output as people write it."""
    try:
        from lumen.runtime.typed import describe_schema, normalise_schema

        return describe_schema(normalise_schema(schema))
    except (ImportError, ValueError):
        return str(schema)


def _reading_order(event: dict[str, Any]) -> dict[str, Any]:
    """Key order of a written line, for people reading the file (the hash ignores order)."""
    head = ("seq", "kind", "timestamp")
    tail = ("prev_hash", "hash")
    ordered = {k: event[k] for k in head if k in event}
    ordered.update((k, v) for k, v in event.items() if k not in head and k not in tail)
    ordered.update((k, event[k]) for k in tail if k in event)
    return ordered


def _timestamp() -> str:
    """RFC 3339 UTC time with milliseconds."""
    now = datetime.now(UTC)
    return f"{now:%Y-%m-%dT%H:%M:%S}.{now.microsecond // 1000:03d}Z"


class TraceWriter:
    """Appends chained events to `DIR/RUN_ID.jsonl`, one flushed line each.

    `event(kind, **fields)` is the one entry point the run session uses; fields set to None
    are left out. Every string in the event passes the scrubber first."""

    def __init__(self, directory: str | os.PathLike[str], run_id: str | None = None,
                 doc_hash: str | None = None, secrets: Iterable[str] = ()) -> None:
        self.run_id = run_id or new_run_id()
        self.doc_hash = doc_hash
        self.directory = Path(directory)
        self.path = self.directory / f"{self.run_id}{TRACE_SUFFIX}"
        self.scrubber = Scrubber(secrets)
        self.seq = 0
        self.last_hash = GENESIS
        self.failure: str | None = None  # why writing stopped (e.g. the disk is full)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # "x": a run id names exactly one run; never append to someone else's trace.
            self._file: TextIO | None = open(self.path, "x", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise TraceError(f"cannot create trace file {self.path}: {exc.strerror or exc}") from None

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Record one event and return it as written (with `seq`, `hash`, ...)."""
        if self._file is None:
            raise TraceError(f"trace {self.run_id} is already closed")
        unknown = set(fields) - _WRITER_FIELDS
        if unknown:  # a programming error in the caller; named so it is found at once
            raise ValueError(f"unknown trace event fields: {', '.join(sorted(unknown))}")
        event: dict[str, Any] = {"seq": self.seq, "kind": kind, "prev_hash": self.last_hash}
        if self.doc_hash is not None:
            event["doc_hash"] = self.doc_hash
        for name in HASHED_FIELDS:
            value = fields.get(name)
            if value is not None:
                event[name] = self.scrubber.value(value)
        # Round-trip through JSON first so the hash is over exactly what a reader will see
        # (tuples become lists, odd values become text).
        event = json.loads(canonical_json(event))
        event["hash"] = event_hash(event)
        event["timestamp"] = _timestamp()
        line = json.dumps(_reading_order(event), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
        if self.failure is None:
            try:
                self._file.write(line + "\n")
                self._file.flush()
            except OSError as exc:
                # A full disk must not end the program: say once that the trace stops here
                # (its missing run_end shows it as incomplete).
                self.failure = f"cannot write trace file {self.path}: {exc.strerror or exc}"
                print(f"lumen: warning: {self.failure}; the trace ends here", file=sys.stderr)
        self.seq += 1
        self.last_hash = event["hash"]
        return event

    def tool_call(self, call: Any, *, result: Any = None, error: BaseException | None = None,
                  latency_ms: int | None = None, schema: Any = None) -> dict[str, Any]:
        """Record one tool call (a ToolCall and its ToolResult or ToolError): the hashes in
        the chained fields, and under `details` what replay serves back (see SPEC.md)."""
        return self.event("tool_call", **tool_call_fields(call, result=result, error=error,
                                                          latency_ms=latency_ms, schema=schema))

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass  # already reported by the failed write
            finally:
                self._file = None

    def __enter__(self) -> TraceWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True, slots=True)
class TraceProblem:
    """One defect of a trace file: the 1-based line and what is wrong there."""

    line: int
    message: str
    truncated: bool = False  # the last line cut short by a crash, not tampering

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class TraceLog:
    """A trace file as read: the events that parsed, and what could not be read."""

    path: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)  # the file line of each event
    problems: list[TraceProblem] = field(default_factory=list)
    truncated: bool = False  # the last line was cut short (the run was killed mid-write)

    @property
    def run_id(self) -> str:
        return self.path.name.removesuffix(TRACE_SUFFIX)


def read_trace(path: str | os.PathLike[str]) -> TraceLog:
    """Parse a trace file. Never raises for bad content: unreadable lines become problems.

    A last line without its newline is a crash mid-write: reported as truncated, and the
    events before it are kept. Raises TraceError only when the file cannot be opened."""
    trace = TraceLog(Path(path))
    try:
        data = trace.path.read_bytes()
    except OSError as exc:
        raise TraceError(f"cannot read trace file {trace.path}: {exc.strerror or exc}") from None
    lines = data.split(b"\n")
    ends_cleanly = lines[-1] == b""
    if ends_cleanly:
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        last = number == len(lines)
        if not raw.strip():
            trace.problems.append(TraceProblem(number, "empty line"))
            continue
        try:
            event = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            if last and not ends_cleanly:
                trace.truncated = True
                trace.problems.append(TraceProblem(
                    number, "truncated last line (the run stopped while writing it)",
                    truncated=True))
            else:
                trace.problems.append(TraceProblem(number, "not a JSON object"))
            continue
        if not isinstance(event, dict):
            trace.problems.append(TraceProblem(number, "not a JSON object"))
            continue
        trace.events.append(event)
        trace.line_numbers.append(number)
    return trace


def verify(events: Iterable[Mapping[str, Any]],
           line_numbers: list[int] | None = None) -> list[TraceProblem]:
    """Check sequence numbers, hashes and links; one problem per broken event, in order.
    `line_numbers` (from TraceLog) names file lines; by default event i is on line i + 1."""
    problems: list[TraceProblem] = []
    expected_prev = GENESIS
    for index, event in enumerate(events):
        line = line_numbers[index] if line_numbers else index + 1
        if event.get("seq") != index:
            problems.append(TraceProblem(line, f"seq is {event.get('seq')!r}, expected {index}"))
        if event.get("prev_hash") != expected_prev:
            problems.append(TraceProblem(
                line, f"prev_hash does not link to the previous event (seq {index}): "
                      f"expected {expected_prev}, found {event.get('prev_hash')!r}"))
        recorded = event.get("hash")
        actual = event_hash(event)
        if recorded != actual:
            problems.append(TraceProblem(
                line, f"hash mismatch at seq {index}: the event was changed after it was "
                      f"recorded (recorded {recorded!r}, content hashes to {actual})"))
        expected_prev = recorded if isinstance(recorded, str) else actual
    return problems


def verify_log(trace: TraceLog) -> list[TraceProblem]:
    """Every problem of a read trace: unreadable lines and chain breaks, by line number."""
    chain = verify(trace.events, trace.line_numbers)
    return sorted(trace.problems + chain, key=lambda p: p.line)


# ------------------------------------------------------------------------------ finding runs


def trace_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Every trace file in DIR, oldest run first (run ids sort by start time)."""
    folder = Path(directory)
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == TRACE_SUFFIX and p.is_file())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TraceError(f"cannot list trace directory {folder}: {exc.strerror or exc}") from None


def find_trace(directory: str | os.PathLike[str], run: str) -> Path:
    """The trace file of RUN: a run id, a unique prefix of one, or a path to a .jsonl file."""
    direct = Path(run)
    if direct.suffix == TRACE_SUFFIX and direct.is_file():
        return direct
    files = trace_files(directory)
    exact = [p for p in files if p.stem == run]
    if exact:
        return exact[0]
    matches = [p for p in files if p.stem.startswith(run)] if run else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(p.stem for p in matches[:5])
        raise TraceError(f"run id '{run}' is ambiguous in {directory}: {names}")
    if not Path(directory).is_dir():
        raise TraceError(f"no trace directory {directory} (record one with "
                         f"`lumen run FILE --trace-dir {directory}`)", missing=True)
    raise TraceError(f"no run '{run}' in {directory} (`lumen trace list --trace-dir "
                     f"{directory}` shows the recorded runs)", missing=True)


def tool_call_events(events: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """The recorded tool calls, in order."""
    return (e for e in events if e.get("kind") == "tool_call")
