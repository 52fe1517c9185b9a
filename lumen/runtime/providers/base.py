"""The provider interface and the small helpers every provider shares.

A provider turns one `ToolCall` (JSON arguments plus the merged grant policy) into a
`ToolResult` or raises `ToolError` with a kind from LANGUAGE.md §12.4. Retries, replay,
caching and tracing happen around it (`lumen.runtime.retry`, the session), so a provider
makes exactly one attempt per `call`.
"""

from __future__ import annotations

import math
import time
from typing import Any, Protocol, runtime_checkable

from lumen.runtime.calls import ToolCall, ToolError, ToolResult

DEFAULT_TIMEOUT_MS = 30_000


@runtime_checkable
class Provider(Protocol):
    """What the registry hands out; third-party providers implement the same two members."""

    name: str

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult: ...


class RateLimitError(ToolError):
    """A `RateLimit` failure that may carry the server's Retry-After, in milliseconds."""

    def __init__(
        self, message: str, hint: str | None = None, retry_after_ms: int | None = None
    ) -> None:
        super().__init__("RateLimit", message, hint)
        self.retry_after_ms = retry_after_ms


def tool_error(kind: str, message: str, hint: str | None = None) -> ToolError:
    return ToolError(kind, message, hint)


def invalid_args(detail: str, hint: str | None = None) -> ToolError:
    return ToolError("InvalidArgs", f"invalid arguments: {detail}", hint)


def execution_failed(detail: str, hint: str | None = None) -> ToolError:
    return ToolError("ExecutionFailed", f"tool execution failed: {detail}", hint)


def unavailable(provider: str, reason: str, hint: str | None = None) -> ToolError:
    return ToolError("ProviderUnavailable", f"provider unavailable: {provider} ({reason})", hint)


def timeout_error(elapsed_ms: int, limit_ms: int) -> ToolError:
    return ToolError(
        "Timeout",
        f"timeout: elapsed {elapsed_ms}ms, limit {limit_ms}ms",
        "raise timeout_ms in the call, the grant or [providers.config.NAME] of lumen.toml",
    )


def argument(call: ToolCall, name: str, position: int | None = None) -> Any:
    """A named argument, or the positional one (`arg0`, `arg1`, … per §12.2) standing for it."""
    if name in call.args:
        return call.args[name]
    if position is not None:
        return call.args.get(f"arg{position}")
    return None


def string_argument(
    call: ToolCall, name: str, position: int | None = None, required: bool = True
) -> str | None:
    value = argument(call, name, position)
    if value is None:
        if required:
            raise invalid_args(f"{call.tool_id} needs a string argument '{name}'")
        return None
    if not isinstance(value, str):
        raise invalid_args(f"argument '{name}' of {call.tool_id} must be a String")
    return value


def option(call: ToolCall, settings: dict[str, Any], key: str, default: Any = None) -> Any:
    """A call option: the argument wins, then the grant policy (its values act as defaults,
    §12.3), then the provider settings from lumen.toml, then `default`."""
    for source in (call.args, call.policy, settings):
        value = source.get(key)
        if value is not None:
            return value
    return default


def timeout_ms(call: ToolCall, settings: dict[str, Any]) -> int:
    """The per-call timeout: argument, grant, provider settings, then 30 s."""
    value = option(call, settings, "timeout_ms", DEFAULT_TIMEOUT_MS)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise invalid_args(f"timeout_ms must be a positive number, got {value!r}")
    return int(value)


def elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def estimate_tokens(text: str) -> int:
    """A rough token count (~4 characters a token) for providers that report no usage."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def redact(text: str, secrets: list[str]) -> str:
    """Blank out every secret value (API keys) in text that came from outside, such as a
    server's error body echoing the Authorization header."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def result(
    call: ToolCall,
    provider: str,
    value: Any,
    started: float,
    tokens_in: int | None = None,
    tokens_out: int | None = None,
) -> ToolResult:
    latency = elapsed_ms(started)
    return ToolResult(
        value=value,
        provider=provider,
        latency_ms=latency,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        attempts=[{"attempt": 1, "provider": provider, "status": "ok", "latency_ms": latency}],
    )
