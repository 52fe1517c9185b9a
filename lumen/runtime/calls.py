"""The data every part of the tool runtime shares (LANGUAGE.md §12.2-§12.4).

The VM builds a `ToolCall` for each `TOOLCALL`, the session checks and dispatches it,
providers answer with a `ToolResult` or raise `ToolError`. Arguments, policy and result
values are JSON values (None, bool, int, float, str, lists, dicts with string keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The standard failure kinds of §12.4 (plus the runtime's own three).
TOOL_ERROR_KINDS: frozenset[str] = frozenset({
    "NotFound", "InvalidArgs", "ExecutionFailed", "RateLimit", "AuthError", "ModelNotFound",
    "Timeout", "ProviderUnavailable", "OutputValidationFailed", "PolicyViolation",
    "ReplayDivergence", "BudgetExceeded",
})


@dataclass(frozen=True)
class ToolCall:
    """One requested call, built by the VM."""

    alias: str
    tool_id: str
    version: str | None
    args: dict[str, Any]  # the argument map, converted to JSON values (§10.11)
    policy: dict[str, Any]  # merged grant constraints of the alias (JSON values)
    file: str = ""
    line: int = 0
    column: int = 0
    cell: str = ""  # the calling cell (the trace event's `cell`); not part of any hash key


class ToolError(Exception):
    """A failed tool call. `message` is the full §12.4 message (`rate limit exceeded: …`);
    the VM shows it as `tool call error: MESSAGE`. `hint` says what the user can do."""

    def __init__(self, kind: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if kind not in TOOL_ERROR_KINDS:
            raise ValueError(f"unknown tool error kind: {kind}")
        self.kind = kind
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ToolError({self.kind!r}, {self.message!r})"


@dataclass
class ToolResult:
    """A provider's answer: the JSON value plus what the trace records about it."""

    value: Any
    provider: str
    latency_ms: int = 0
    tokens_in: int | None = None
    tokens_out: int | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    cached: bool = False
    warnings: list[str] = field(default_factory=list)  # schema drift of a typed output
    model: str | None = None  # the model that answered (chat providers)
    tokens_estimated: bool = False  # the counts are estimates (~4 characters a token)


def no_provider(tool_id: str) -> ToolError:
    """§12.4: a tool id that maps to no provider; never answered with a placeholder."""
    return ToolError(
        "ProviderUnavailable", f"no provider configured for tool {tool_id}",
        f"map it in lumen.toml: [providers] \"{tool_id}\" = \"PROVIDER\" (and configure "
        "it under [providers.config.PROVIDER])")


def policy_violation(alias: str, reason: str, key: str | None = None) -> ToolError:
    """§12.3: `policy violation for 'ALIAS': REASON`; the hint names the constraint."""
    constraint = f"`grant {alias} {key} …`" if key else f"a `grant {alias}` constraint"
    return ToolError("PolicyViolation", f"policy violation for '{alias}': {reason}",
                     f"the call breaks {constraint}; change the call or the grant")
