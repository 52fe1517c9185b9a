"""One run's tool session (LANGUAGE.md §12.4): the VM hands every tool call to
`RunSession.call_tool`, which

1. checks the alias's merged grant policy (§12.3),
2. serves the call from a replayed recording, else from the result cache (when the call
   opted in), else dispatches it to the provider registered for the tool id, with the
   retry policy of that provider's `[providers.config.NAME.retry]` table,
3. records a `tool_call` trace event (when tracing), and
4. returns the JSON value, or raises `ToolError`.

The driver creates one session per run (`open_session`) and closes it with the run's status.
Trace, replay and cache are optional collaborators (lumen/runtime/trace.py, replay.py,
result_cache.py); without them the session only checks and dispatches.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lumen.runtime.calls import ToolCall, ToolError, ToolResult, no_provider
from lumen.runtime.config import Config, Overrides, load_config
from lumen.runtime.grants import check_policy, unknown_grant_key
from lumen.runtime.usage import UsageLedger, provider_prices


class ProviderLike(Protocol):
    name: str

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult: ...


ProviderLookup = Callable[[str, Config], Any]


def registry_lookup(tool_id: str, config: Config) -> Any:
    """The provider for `tool_id` from the provider registry (None: no provider)."""
    try:
        from lumen.runtime.providers.registry import provider_for
    except ImportError:  # a build without the built-in providers
        return None
    return provider_for(tool_id, config)


class RunSession:
    """Checks, dispatches and records the tool calls of one run."""

    def __init__(self, config: Config, *, provider_for: ProviderLookup = registry_lookup,
                 trace: Any = None, replayer: Any = None, cache: Any = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.provider_for = provider_for
        self.trace = trace
        self.replayer = replayer
        self.cache = cache
        self.sleep = sleep
        self._providers: dict[str, Any] = {}
        self._scrubber: Any = None  # built on the first failure
        # Totals for `lumen run --verbose` and the run_end event.
        self.calls = 0
        self.failures = 0
        # The seq of the run's last event, recorded or (replaying) re-enacted: trace_ref().
        self.position = -1
        self.usage = UsageLedger(provider_prices(config.provider_settings), config.max_tokens)
        # call_enter/call_exit events (call_trace.py), only when events matter: the VM
        # reads this once, and None keeps untraced runs free of any call bookkeeping.
        # `[trace] max_call_events = 0` turns them off (and the native tier back on).
        self.call_tracer: Any = None
        if self.records_events and config.max_call_events != 0:
            from lumen.runtime.call_trace import DEFAULT_MAX_CALL_EVENTS, CallTracer

            limit = config.max_call_events
            self.call_tracer = CallTracer(
                self.event, DEFAULT_MAX_CALL_EVENTS if limit is None else limit)

    # ------------------------------------------------------------------ tool calls

    def call_tool(self, call: ToolCall, schema: Any = None) -> Any:
        """The JSON value of one call; raises `ToolError`.

        With `schema` (a call under `expect schema T`, format of typed.py) the answer is
        parsed leniently, validated and, for chat tools, repaired by retries with a repair
        prompt (`repair_retries`, default 2); the result is the validated value as a Lumen
        value (records as Records). Every attempt and each schema-drift warning is traced."""
        self.calls += 1
        started = time.monotonic()
        try:
            check_policy(call.alias, call.policy, call.args)
            self.usage.check_budget()
            result = self._result(call) if schema is None else self._typed_result(call, schema)
        except ToolError as error:
            self._scrub(error)
            self.failures += 1
            self._record(call, error=error, latency_ms=_elapsed_ms(started), schema=schema)
            self._count_failed_attempts(error)
            raise
        self._record(call, result=result, schema=schema)
        self.usage.add(result)  # after recording: the trace shows the call that overspent
        if schema is None:
            return result.value
        from lumen.runtime.typed import to_lumen_value

        return to_lumen_value(result.value, schema)

    def _count_failed_attempts(self, error: ToolError) -> None:
        """Tokens spent by the tries of a call that failed anyway (a typed output that
        could not be repaired); the call's own error is what the run reports."""
        spent = getattr(error, "spent", None)
        if spent is not None:
            try:
                self.usage.add(spent)
            except ToolError:
                pass  # over budget as well: the validation failure is still the news

    def _result(self, call: ToolCall) -> ToolResult:
        if self.replayer is not None:
            result: ToolResult = self.replayer.next_result(call)
            return result
        provider = self.provider(call.tool_id)
        _check_grant_keys(call, provider)
        settings = self.config.settings(getattr(provider, "name", ""))
        return self._cached_dispatch(provider, call, settings)

    def _cached_dispatch(self, provider: Any, call: ToolCall,
                         settings: dict[str, Any]) -> ToolResult:
        cache = self.cache if self.cache is not None and _cache_wanted(call, settings) else None
        if cache is not None:
            hit = cache.lookup(call)
            if hit is not None:
                return hit  # type: ignore[no-any-return]
        result = self._dispatch(provider, call, settings)
        if cache is not None:
            cache.store(call, result)
        return result

    def _typed_result(self, call: ToolCall, schema: Any) -> ToolResult:
        """A result that fits `schema` (typed.call_typed). A replay serves the recorded,
        already validated value and never repairs: a repair would be a call the recording
        does not hold. Repair calls go through the cache like any call (their own inputs)."""
        from lumen.runtime import typed

        if self.replayer is not None:
            outcome = typed.call_typed(call, schema, self.replayer.next_result, max_retries=0)
        else:
            provider = self.provider(call.tool_id)
            _check_grant_keys(call, provider)
            settings = self.config.settings(getattr(provider, "name", ""))
            outcome = typed.call_typed(
                call, schema, lambda asked: self._cached_dispatch(provider, asked, settings),
                max_retries=typed.repair_retries(call, settings))
        for warning in outcome.warnings:
            # stderr, so a replay (which re-validates clean recorded values) keeps stdout.
            print(f"lumen: warning: {warning}", file=sys.stderr)
        outcome.result.warnings = list(outcome.warnings)
        return outcome.result

    def provider(self, tool_id: str) -> Any:
        """The provider of `tool_id` (looked up once per run); raises `ToolError`."""
        provider = self._providers.get(tool_id)
        if provider is None:
            provider = self.provider_for(tool_id, self.config)
            if provider is None:
                raise no_provider(tool_id)
            self._providers[tool_id] = provider
        return provider

    def _dispatch(self, provider: Any, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        try:
            from lumen.runtime.retry import RetryPolicy, call_with_retry
        except ImportError:  # a build without retries: one attempt
            return provider.call(call, settings)  # type: ignore[no-any-return]
        policy = RetryPolicy.from_settings(settings.get("retry"))
        return call_with_retry(lambda: provider.call(call, settings), policy, sleep=self.sleep)

    def _scrub(self, error: ToolError) -> None:
        """Keep secret values (the variables named by `api_key_env`, credential-like
        variables) out of the message a program, a trace or a log can show."""
        if self._scrubber is None:
            try:
                from lumen.runtime.trace import Scrubber, api_key_env_names, secret_values
            except ImportError:  # a build without traces: the declared keys only
                return
            names = api_key_env_names(self.config.secret_settings())
            self._scrubber = Scrubber(secret_values(names))
        error.message = self._scrubber.text(error.message)
        error.args = (error.message,)
        if error.hint:
            error.hint = self._scrubber.text(error.hint)

    # ------------------------------------------------------------------ events

    def _record(self, call: ToolCall, *, result: ToolResult | None = None,
                error: ToolError | None = None, latency_ms: int | None = None,
                schema: Any = None) -> None:
        self.position += 1
        if self.trace is not None:
            typed = {} if schema is None else {"schema": schema}
            self.trace.tool_call(call, result=result, error=error, latency_ms=latency_ms,
                                 **typed)

    def event(self, kind: str, **fields: Any) -> None:
        """Record a run/cell/effect/error event (nothing without a trace)."""
        self.position += 1
        if self.trace is not None:
            self.trace.event(kind, **fields)

    @property
    def records_events(self) -> bool:
        """Whether events matter: a trace is written, or a replay re-enacts one (whose
        positions trace_ref() must reproduce)."""
        return self.trace is not None or self.replayer is not None

    def trace_ref(self) -> tuple[str, int]:
        """(run id, seq of the last event) for the builtin trace_ref(); ("", -1) untraced."""
        if self.trace is not None:
            return self.trace.run_id, self.position
        if self.replayer is not None:
            return self.replayer.run_id, self.position
        return "", -1

    @property
    def tokens_in(self) -> int:
        return sum(t.tokens_in for t in self.usage.by_model.values())

    @property
    def tokens_out(self) -> int:
        return sum(t.tokens_out for t in self.usage.by_model.values())

    def totals(self) -> dict[str, Any]:
        """The run's tool-call and token totals (usage.py), for run_end."""
        return {"tool_calls": self.calls, "failed": self.failures, **self.usage.totals()}

    def summary_lines(self) -> list[str]:
        """What `lumen run --verbose` prints about the run's tool calls and tokens."""
        return self.usage.summary_lines(self.calls, self.failures)

    def close(self, status: str) -> None:
        """End the run: `run_end` with the status and totals, then release the trace."""
        if self.trace is not None:
            self.trace.event("run_end", message=status, details=self.totals())
            self.trace.close()


def _check_grant_keys(call: ToolCall, provider: Any) -> None:
    """A provider that declares the custom grant keys it understands (`grant_keys`) gets no
    policy with a key it would silently ignore (a typo such as `modle`)."""
    declared = getattr(provider, "grant_keys", None)
    if declared is None:
        return
    key = unknown_grant_key(call.policy, declared)
    if key is not None:
        name = getattr(provider, "name", "") or "?"
        known = ", ".join(sorted(declared)) or "none"
        raise ToolError("InvalidArgs",
                        f"invalid arguments: grant key '{key}' of '{call.alias}' is not "
                        f"understood by provider '{name}'",
                        f"custom grant keys of {name}: {known}")


def _cache_wanted(call: ToolCall, settings: dict[str, Any]) -> bool:
    try:
        from lumen.runtime.result_cache import cache_wanted
    except ImportError:
        return False
    return cache_wanted(call, settings)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def open_session(start_dir: str | Path, *, config_path: str | None = None,
                 overrides: Overrides | None = None, **collaborators: Any) -> RunSession:
    """The session of one run: the configuration found from `start_dir` (raises
    `ConfigError`), plus optional trace/replayer/cache collaborators."""
    config = load_config(start_dir, config_path, overrides=overrides)
    return RunSession(config, **collaborators)
