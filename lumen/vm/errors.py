"""Runtime errors (§9.11): one exception type, a kind name and the exact user message.

Builtins and operators raise through the constructor helpers below so that every message
has the shape the reference gives it; the VM fills in the location fields as it unwinds.
"""

from __future__ import annotations

RUNTIME_ERROR_KINDS: frozenset[str] = frozenset(
    "halt division overflow type index undefined effects tools futures assertions limits "
    "internal".split()
)


class LumenRuntimeError(Exception):
    """A runtime error of a Lumen program; `message` is shown to the user verbatim."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        if kind not in RUNTIME_ERROR_KINDS:
            raise ValueError(f"unknown runtime error kind: {kind}")
        self.kind = kind
        self.message = message
        # Filled in by the VM at the raising instruction / while unwinding.
        self.file: str | None = None
        self.line: int | None = None
        self.column: int | None = None
        self.lumen_stack: list[tuple[str, str, int]] = []
        self.hint: str | None = None  # what the user can do about it (tool errors)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"LumenRuntimeError({self.kind!r}, {self.message!r})"


def halt(message: str) -> LumenRuntimeError:
    return LumenRuntimeError("halt", f"halt: {message}")


def division_by_zero() -> LumenRuntimeError:
    return LumenRuntimeError("division", "division by zero")


def overflow(operation: str) -> LumenRuntimeError:
    """`operation` is `addition`, `subtraction`, `multiplication`, `exponentiation`, …"""
    return LumenRuntimeError("overflow", f"integer overflow in {operation}")


def shift_out_of_range() -> LumenRuntimeError:
    return LumenRuntimeError("overflow", "shift amount out of range (must be 0..63)")


def type_error(detail: str) -> LumenRuntimeError:
    return LumenRuntimeError("type", f"type error at runtime: {detail}")


def index_error(index: int, length: int, kind: str = "list") -> LumenRuntimeError:
    return LumenRuntimeError(
        "index", f"runtime error: index {index} out of bounds for {kind} of length {length}"
    )


def undefined_cell(name: str) -> LumenRuntimeError:
    return LumenRuntimeError("undefined", f"undefined cell: {name}")


def unhandled_effect(effect_op: str) -> LumenRuntimeError:
    return LumenRuntimeError("effects", f"runtime error: unhandled effect: {effect_op}")


def resume_outside_handler() -> LumenRuntimeError:
    return LumenRuntimeError(
        "effects", "runtime error: resume called outside of effect handler"
    )


def tool_error(detail: str, hint: str | None = None) -> LumenRuntimeError:
    error = LumenRuntimeError("tools", f"tool call error: {detail}")
    error.hint = hint
    return error


def policy_violation(alias: str, reason: str) -> LumenRuntimeError:
    return tool_error(f"policy violation for '{alias}': {reason}")


def await_failed(future_id: int, message: str) -> LumenRuntimeError:
    return LumenRuntimeError(
        "futures", f"runtime error: await failed for future {future_id}: {message}"
    )


def assertion_failed(message: str | None = None) -> LumenRuntimeError:
    """`assert(cond)` → `runtime error: assertion failed`; a custom message is shown as is."""
    if message is None:
        return LumenRuntimeError("assertions", "runtime error: assertion failed")
    return LumenRuntimeError("assertions", message)


def assertion(message: str) -> LumenRuntimeError:
    """An assertion-kind error with a fully shaped message (`assert_eq failed: …`)."""
    return LumenRuntimeError("assertions", message)


def stack_overflow(depth: int = 4096) -> LumenRuntimeError:
    return LumenRuntimeError("limits", f"stack overflow: call depth exceeded {depth}")


def instruction_limit(limit: int) -> LumenRuntimeError:
    return LumenRuntimeError("limits", f"instruction limit exceeded: {limit}")


def internal(detail: str) -> LumenRuntimeError:
    return LumenRuntimeError("internal", f"internal error: {detail}")


class ProgramExit(Exception):
    """Raised by `exit(code)`: the VM runs deferred blocks, then the CLI exits with `status`."""

    def __init__(self, status: int) -> None:
        super().__init__(f"exit({status})")
        self.status = status
