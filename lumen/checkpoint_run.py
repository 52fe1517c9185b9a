"""`lumen run --checkpoint-at N` and `lumen run --restore FILE`: a run paused into a
checkpoint file, and a run continued from one (§16.11, lumen/vm/checkpoint.py).

A checkpointed run is interpreter-only (snapshots capture interpreter frames). It runs
until the first call made from the outermost run loop once N calls were made, writes the
VM's complete state there and stops; output printed until then is not part of the state.
`--restore` rebuilds the VM from the file (for the same program: the file records the
module's fingerprint) and continues it to the entry cell's result. Problems with the file
itself are diagnostic E0904 (nothing ran); the run's own errors are reported as usual.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from lumen.driver import (
    Compilation,
    RunOptions,
    RunOutcome,
    _runtime_failure,
    _with_error,
    internal_runtime_failure,
)


class CheckpointRequest(NamedTuple):
    """Pause after `after_calls` calls into `path`, or (`restore`) continue from `path`."""

    path: str
    after_calls: int | None = None
    restore: bool = False


class CheckpointOutcome(NamedTuple):
    outcome: RunOutcome
    written: str | None = None  # the checkpoint file written (the run paused)
    calls: int = 0  # calls made when it paused, or in the whole run when it ended first


def default_checkpoint_path(program: str) -> str:
    """`.lumen/checkpoint/<program stem>.ckpt` under the current directory."""
    stem = Path(program).name.split(".")[0] or "program"
    return str(Path(".lumen") / "checkpoint" / f"{stem}.ckpt")


def run_checkpointed(compilation: Compilation, options: RunOptions,
                     request: CheckpointRequest) -> CheckpointOutcome:
    from lumen.vm import checkpoint
    from lumen.vm.errors import LumenRuntimeError, ProgramExit
    from lumen.vm.options import VMOptions

    module = compilation.module
    if not compilation.ok or module is None:
        return CheckpointOutcome(RunOutcome(compilation))
    vm_options = VMOptions(max_depth=options.max_depth, jit=False, fast_tier=False,
                           program_args=list(options.program_args))
    calls = 0
    try:
        if module.tools:
            raise checkpoint.CheckpointError(
                "the program declares tools; checkpoints do not cover tool sessions")
        if request.restore:
            data = _read(request.path)
            vm = checkpoint.restore(module, data, vm_options)
            value = checkpoint.resume(vm)
        else:
            assert request.after_calls is not None
            data, calls, value = checkpoint.pause_at_call(
                module, request.after_calls, options.entry, (), vm_options)
            if data is not None:
                _write(request.path, data)
                return CheckpointOutcome(RunOutcome(compilation, ran=True),
                                         written=request.path, calls=calls)
    except checkpoint.CheckpointError as exc:
        hint = ("a checkpoint is restored with the program that wrote it"
                if "different program" in str(exc) else None)
        return CheckpointOutcome(RunOutcome(_with_error(
            compilation, checkpoint_diagnostic(str(exc), request.path, hint))))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        doing = "read" if request.restore else "write"
        return CheckpointOutcome(RunOutcome(_with_error(
            compilation, checkpoint_diagnostic(f"cannot {doing} the checkpoint: {reason}",
                                               request.path))))
    except LumenRuntimeError as exc:
        return CheckpointOutcome(RunOutcome(compilation, error=_runtime_failure(exc),
                                            ran=True))
    except ProgramExit as exc:
        return CheckpointOutcome(RunOutcome(compilation, ran=True, exit_status=exc.status))
    except BrokenPipeError:
        raise
    except Exception as exc:  # a bug in the VM or the snapshot code: reported, no traceback
        return CheckpointOutcome(RunOutcome(
            compilation, error=internal_runtime_failure(exc, compilation.path), ran=True))
    return CheckpointOutcome(RunOutcome(compilation, value=value, ran=True), calls=calls)


def checkpoint_diagnostic(message: str, path: str, hint: str | None = None) -> Any:
    from lumen.diagnostics import Diagnostic, ErrorCode
    from lumen.diagnostics.diagnostic import NO_SPAN

    return Diagnostic(code=ErrorCode.CHECKPOINT.value, message=message, file=path,
                      span=NO_SPAN, hint=hint)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _write(path: str, data: bytes) -> None:
    """Atomically: a reader never sees half a checkpoint, and a failed write keeps the
    previous file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=".ckpt-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(scratch, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise
