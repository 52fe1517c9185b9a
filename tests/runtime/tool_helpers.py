"""Shared helpers for the tool runtime tests: a fake provider that records what it is
asked, and running a checked program with a given tool session."""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Callable
from typing import Any

from lumen.driver import compile_source
from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.config import Config
from lumen.runtime.session import RunSession
from lumen.source import source_from_text
from lumen.vm.interpreter import VM
from lumen.vm.options import VMOptions


class FakeProvider:
    """Answers with `answer(call)` (default: the argument map) and records every call."""

    def __init__(self, name: str = "fake",
                 answer: Callable[[ToolCall], Any] | None = None) -> None:
        self.name = name
        self.answer = answer or (lambda call: call.args)
        self.calls: list[ToolCall] = []
        self.settings: list[dict[str, Any]] = []

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        self.calls.append(call)
        self.settings.append(settings)
        value = self.answer(call)
        if isinstance(value, ToolError):
            raise value
        return ToolResult(value=value, provider=self.name, latency_ms=1, tokens_in=3,
                          tokens_out=4)


def session_with(provider: FakeProvider, config: Config | None = None,
                 **collaborators: Any) -> RunSession:
    """A session whose every tool id is answered by `provider`."""
    return RunSession(config or Config(), provider_for=lambda tool_id, _config: provider,
                      sleep=lambda _seconds: None, **collaborators)


def compile_checked(source: str, file: str = "tools_test.lm") -> Any:
    """The LIR module of a program that must compile without errors."""
    unit = source_from_text(textwrap.dedent(source), file)
    compilation = compile_source(unit)
    assert compilation.ok, [d.message for d in compilation.errors]
    return compilation.module


def run_with(source: str, session: Any, entry: str = "main") -> tuple[Any, str]:
    """Run a checked program with `session` as its tool session: (value, stdout)."""
    module = compile_checked(source)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        value = VM(module, VMOptions(), tools=session).run(entry)
    return value, out.getvalue()
