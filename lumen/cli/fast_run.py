"""The fast path of `lumen run FILE`: a program whose whole entry cell ran as cached native
code is run again by calling that code directly, before the rest of Lumen is imported.

When a plain `lumen run FILE` (no options, no program arguments, no `LUMEN_*` setting)
ends with the native tier having run the whole entry cell from the native code cache, and
the program printed only through that code, `remember` writes a small record under
`<cache>/fast-run/`, keyed by FILE's absolute path and exact bytes. The next plain run of
the same bytes finds the record (`lookup`), checks it (record format, Python version, the
toolchain fingerprint of `lumen.cache.location`, the library's SHA-256) and `run`s the
library: the same state record setup, depth limit, deep stack and `print` rendering as the
VM's native tier, with ctypes and the standard library only. Nothing is compiled and no
VM, parser or checker is loaded.

Anything that does not match is a miss and the ordinary path runs (and may write a fresh
record). A runtime error in native code is not rendered here: the state record is handed
to `lumen.cli.run_program.report_native_failure`, which loads the program from the compile
cache and reports exactly what the VM would have.

The `lumen` launcher (`bin/lumen`) calls this before Python's `site` hooks run; see its
comments and SPEC.md "Start-up".
"""

from __future__ import annotations

import marshal
import os
import sys

from lumen.cache.location import digest_of, key_of, preferred_folder, toolchain_fingerprint

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = "1"  # bump when the record's fields or their meaning change
FOLDER = "fast-run"  # under the cache folder; `lumen cache clear` removes it with the rest
# Settings that do not change what a run does; any other LUMEN_* variable (a tier switch,
# a cache switch, a JIT threshold) sends the run down the ordinary path.
NEUTRAL_SETTINGS = frozenset({"LUMEN_CACHE_DIR", "LUMEN_PYTHON"})
SCALAR_RESULTS = frozenset({"Int", "Float", "Bool", "Null"})


class NativeFailure(Exception):
    """The native code stopped with a runtime error: its state record and unwound frames,
    for `report_native_failure`."""

    def __init__(self, state: list[int], trace: list[int]) -> None:
        super().__init__("native runtime error")
        self.state = state
        self.trace = trace


def attempt(args: list[str], before_fallback: Any = None) -> int | None:
    """Run `lumen ARGS` by the fast path when it applies: the exit status, or None (a miss:
    nothing was run or printed). `before_fallback()` is called before anything beyond the
    fast path is imported (the launcher finishes Python's `site` set-up there)."""
    file = plain_file(args)
    record = lookup(file) if file is not None else None
    if record is None:
        return None
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:  # program output appears line by line, as in the VM
        try:
            reconfigure(line_buffering=True)
        except (ValueError, OSError):
            pass
    try:
        value = run(record)
        if value is not None:
            from lumen.vm.scalars import display_scalar

            sys.stdout.write(display_scalar(value) + "\n")
            sys.stdout.flush()
        return 0
    except NativeFailure as failure:
        if before_fallback is not None:
            before_fallback()
        from lumen.cli.run_program import report_native_failure

        return report_native_failure(file, failure.state, failure.trace)  # type: ignore[arg-type]
    except (BrokenPipeError, KeyboardInterrupt) as exc:
        if before_fallback is not None:
            before_fallback()
        from lumen.cli.main import ended_by

        return ended_by(exc)


def plain_file(args: list[str]) -> str | None:
    """FILE when `args` is exactly `run FILE` (FILE a regular file, not an option) and no
    LUMEN_* setting could change the run; else None."""
    if len(args) != 2 or args[0] != "run" or args[1].startswith("-"):
        return None
    if "_LUMEN_COMPLETE" in os.environ or any(  # a shell-completion request is click's
            name.startswith("LUMEN_") and name not in NEUTRAL_SETTINGS for name in os.environ):
        return None
    return args[1] if os.path.isfile(args[1]) else None


def _record_path(file: str, source: bytes) -> str:
    key = key_of(FORMAT, os.path.abspath(file), source)
    return os.path.join(preferred_folder(), FOLDER, key)


def _python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def lookup(file: str) -> dict[str, Any] | None:
    """The checked record for FILE's current bytes, or None."""
    try:
        with open(file, "rb") as handle:
            source = handle.read()
        with open(_record_path(file, source), "rb") as handle:
            record = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    if record.get("python") != _python() or record.get("returns") not in SCALAR_RESULTS:
        return None
    if record.get("fingerprint") != toolchain_fingerprint():
        return None
    try:
        with open(record["library"], "rb") as handle:
            if digest_of(handle.read()) != record["digest"]:
                return None
    except (OSError, KeyError, TypeError):
        return None
    return record


def run(record: dict[str, Any]) -> Any:
    """Call the recorded entry unit as `NativeTier.entry` does; returns the entry cell's
    value (None for Null). Raises NativeFailure for a runtime error in the native code and
    re-raises what printing raised (a closed pipe)."""
    import _thread
    import ctypes

    from lumen.jit.native import abi
    from lumen.jit.native import layout as L
    from lumen.vm.deep_stack import STACK_BYTES
    from lumen.vm.scalars import display_scalar

    tag = record["tag"]
    library = ctypes.CDLL(record["library"])

    def symbol(name: str) -> int:
        return ctypes.cast(getattr(library, f"{name}_{tag}"), ctypes.c_void_p).value or 0

    entry = abi.ENTRY(symbol("entry"))
    arena_free = abi.ARENA_FREE(symbol("arena_free"))
    state = abi.state_record(abi.STATE(symbol("state"))())
    trace = (ctypes.c_int64 * abi.trace_capacity(record["max_depth"]))()
    pending: list[BaseException] = []
    write = sys.stdout.write

    def printer(kind: int, bits: int) -> None:
        try:
            value = bits if kind == abi.PRINT_INT else (
                abi.float_from_bits(bits) if kind == abi.PRINT_FLOAT else bits != 0)
            write(display_scalar(value) + "\n")
        except BaseException as exc:  # noqa: BLE001 - re-raised once the code unwound
            pending.append(exc)
            state[L.ERR_CODE] = L.ERR_CALLBACK

    callback = abi.PRINT_CALLBACK(printer)
    abi.prepare_state(state, trace, record["max_depth"], callback)
    abi.start_call(state, record["depth_left"])
    args = (ctypes.c_int64 * 1)()
    out = ctypes.c_int64(0)
    status: list[int] = []
    done = _thread.allocate_lock()
    done.acquire()

    def call() -> None:  # on a deep stack, as the VM runs compiled code
        try:
            status.append(entry(ctypes.addressof(args), ctypes.addressof(out)))
        finally:
            done.release()

    previous = _thread.stack_size()
    try:
        _thread.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):  # no settable stacks here: run on this thread
        call()
    else:
        try:
            _thread.start_new_thread(call, ())
        finally:
            _thread.stack_size(previous)
        done.acquire()
    try:
        if not status or status[0]:
            if pending:
                raise pending[0]
            count = min(state[L.NTRACE], len(trace))
            raise NativeFailure(list(state), list(trace[:count]))
        return _result(out.value, record["returns"])
    finally:
        arena_free()
        sys.stdout.flush()


def _result(raw: int, returns: str) -> Any:
    if returns == "Int":
        return raw
    if returns == "Float":
        from lumen.jit.native.abi import float_from_bits

        return float_from_bits(raw)
    if returns == "Bool":
        return raw != 0
    return None


def remember(file: str, outcome: Any) -> None:
    """Write FILE's record after an ordinary plain run whose whole entry cell ran as
    cached native code (`outcome.native_entry`) and that can be repeated by `run`: no
    warnings, imports, tools, trace or `exit`, and a scalar result. Best effort."""
    whole = outcome.native_entry
    compilation = outcome.compilation
    if (whole is None or plain_file(["run", file]) is None or not outcome.ok
            or outcome.exit_status is not None or outcome.trace_path or outcome.tool_summary
            or compilation.diagnostics or compilation.imported
            or getattr(compilation.module, "tools", None)
            or type(outcome.value) not in (int, float, bool, type(None))
            or whole["returns"] not in SCALAR_RESULTS):
        return
    from lumen.jit.native import cache as native_cache

    folder = native_cache.folder()
    if folder is None:
        return
    library = os.path.join(str(folder), f"{whole['key']}.so")
    try:
        with open(file, "rb") as handle:
            source = handle.read()
        with open(library, "rb") as handle:
            digest = digest_of(handle.read())
        record = {"format": FORMAT, "python": _python(), "fingerprint": toolchain_fingerprint(),
                  "library": library, "digest": digest, "tag": whole["tag"],
                  "returns": whole["returns"], "depth_left": whole["depth_left"],
                  "max_depth": whole["max_depth"]}
        path = _record_path(file, source)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        scratch = f"{path}.{os.getpid()}.tmp"
        with open(scratch, "wb") as handle:
            handle.write(marshal.dumps(record))
        os.replace(scratch, path)
    except OSError:
        return
