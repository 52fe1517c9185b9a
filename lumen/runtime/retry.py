"""Retry policy for tool calls (LANGUAGE.md §12.5 `[providers.config.NAME.retry]`).

Failures fall in three classes, each handled differently:
- rate limits (`RateLimit`): wait what the server asked for (Retry-After) when it said,
  else the backoff delay; a Retry-After longer than `max_delay_ms` ends the retries at once,
  since sleeping past the configured ceiling would surprise the user more than the error;
- transient failures (`Timeout`, `ProviderUnavailable`: 5xx answers, refused connections):
  retried after the backoff delay;
- permanent failures (bad arguments, authentication, unknown model, policy, validation):
  never retried, even when listed in `retry_on`, because the same call fails the same way.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lumen.runtime.calls import ToolError, ToolResult

BACKOFF_STRATEGIES = ("constant", "linear", "exponential", "fibonacci")
PERMANENT_KINDS = frozenset(
    {
        "NotFound",
        "InvalidArgs",
        "AuthError",
        "ModelNotFound",
        "PolicyViolation",
        "OutputValidationFailed",
        "ReplayDivergence",
    }
)
TRANSIENT_KINDS = frozenset({"Timeout", "ProviderUnavailable", "ExecutionFailed"})
# Keys accepted in a retry table; the configuration loader can use this to reject others.
RETRY_KEYS = frozenset(
    {"max_retries", "base_delay_ms", "max_delay_ms", "backoff", "jitter", "retry_on"}
)


class RetryConfigError(ValueError):
    """A retry table that cannot be used; the message names the key."""


def classify(error: ToolError) -> str:
    """`rate_limit`, `transient` or `permanent`."""
    if error.kind == "RateLimit":
        return "rate_limit"
    if error.kind in PERMANENT_KINDS:
        return "permanent"
    return "transient" if error.kind in TRANSIENT_KINDS else "permanent"


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay_ms: int = 100
    max_delay_ms: int = 10_000
    backoff: str = "exponential"
    # True means full jitter up to the delay's own size (x in [delay/2, delay]); a float in
    # (0, 1] is the fraction of the delay that may be taken off at random; False: none.
    jitter: bool | float = True
    retry_on: frozenset[str] = field(
        default_factory=lambda: frozenset({"RateLimit", "Timeout", "ProviderUnavailable"})
    )

    @classmethod
    def from_settings(cls, table: Mapping[str, Any] | None) -> RetryPolicy:
        """Build a policy from a `retry` table of lumen.toml (None: the defaults)."""
        if not table:
            return cls()
        unknown = sorted(set(table) - RETRY_KEYS)
        if unknown:
            raise RetryConfigError(
                f"unknown retry key '{unknown[0]}' (known: {', '.join(sorted(RETRY_KEYS))})"
            )
        values: dict[str, Any] = {}
        for key in ("max_retries", "base_delay_ms", "max_delay_ms"):
            if key in table:
                value = table[key]
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise RetryConfigError(f"retry.{key} must be a non-negative integer")
                values[key] = value
        if "backoff" in table:
            if table["backoff"] not in BACKOFF_STRATEGIES:
                raise RetryConfigError(
                    f"retry.backoff must be one of {', '.join(BACKOFF_STRATEGIES)}"
                )
            values["backoff"] = table["backoff"]
        if "jitter" in table:
            jitter = table["jitter"]
            valid_fraction = isinstance(jitter, int | float) and 0 <= jitter <= 1
            if not isinstance(jitter, bool) and not valid_fraction:
                raise RetryConfigError("retry.jitter must be true, false or a number in 0..1")
            values["jitter"] = jitter
        if "retry_on" in table:
            kinds = table["retry_on"]
            if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
                raise RetryConfigError("retry.retry_on must be a list of error kind names")
            values["retry_on"] = frozenset(kinds)
        return cls(**values)

    def backoff_ms(self, retry_number: int) -> int:
        """The delay before retry number `retry_number` (1-based), before jitter, capped."""
        base = self.base_delay_ms
        if self.backoff == "constant":
            delay = base
        elif self.backoff == "linear":
            delay = base * retry_number
        elif self.backoff == "fibonacci":
            previous, current = 0, 1
            for _ in range(retry_number - 1):
                previous, current = current, previous + current
            delay = base * current
        else:
            delay = base * (2 ** (retry_number - 1))
        return min(delay, self.max_delay_ms)

    def jittered(self, delay_ms: int, rng: random.Random) -> int:
        fraction = 0.5 if self.jitter is True else float(self.jitter or 0)
        if fraction <= 0 or delay_ms <= 0:
            return delay_ms
        return int(delay_ms * (1 - fraction * rng.random()))

    def should_retry(self, error: ToolError) -> bool:
        return classify(error) != "permanent" and error.kind in self.retry_on


def _attempt_record(
    number: int, error: ToolError | None, latency_ms: int, delay_ms: int | None
) -> dict[str, Any]:
    record: dict[str, Any] = {"attempt": number, "latency_ms": latency_ms}
    if error is None:
        record["status"] = "ok"
    else:
        record.update(status="error", kind=error.kind, message=error.message)
        record["class"] = classify(error)
    if delay_ms is not None:
        record["delay_ms"] = delay_ms
    return record


def call_with_retry(
    attempt: Callable[[], ToolResult],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> ToolResult:
    """Run `attempt` until it succeeds or the policy gives up.

    The returned result's `attempts` lists every try (failed ones first). On failure the last
    `ToolError` is raised with an `attempts` attribute holding the same records, so a trace
    can show them.
    """
    rng = rng or random.Random()
    records: list[dict[str, Any]] = []
    number = 0
    while True:
        number += 1
        started = time.monotonic()
        try:
            result = attempt()
        except ToolError as error:
            latency = int((time.monotonic() - started) * 1000)
            delay = _delay_before_retry(error, policy, number, rng)
            records.append(_attempt_record(number, error, latency, delay))
            if delay is None:
                error.attempts = records  # type: ignore[attr-defined]
                if number > 1 and error.hint is None:
                    error.hint = f"gave up after {number} attempts"
                raise
            sleep(delay / 1000)
            continue
        provider_records = list(result.attempts or [])
        ok = provider_records[-1] if provider_records else {}
        final = _attempt_record(number, None, result.latency_ms, None)
        final.update({k: v for k, v in ok.items() if k not in final})
        result.attempts = records + [final]
        return result


def _delay_before_retry(
    error: ToolError, policy: RetryPolicy, number: int, rng: random.Random
) -> int | None:
    """Milliseconds to wait before the next try, or None to stop."""
    if number > policy.max_retries or not policy.should_retry(error):
        return None
    retry_after = getattr(error, "retry_after_ms", None)
    if classify(error) == "rate_limit" and retry_after is not None:
        if retry_after > policy.max_delay_ms:
            error.hint = (
                f"the server asked to wait {retry_after}ms, more than max_delay_ms "
                f"{policy.max_delay_ms}; raise max_delay_ms in the retry table to wait"
            )
            return None
        return retry_after
    return policy.jittered(policy.backoff_ms(number), rng)
