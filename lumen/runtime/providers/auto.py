"""`auto`: for chat tools, try a local Ollama first and fall back to the OpenAI-compatible
provider. When every candidate fails the error lists each attempt on its own line, so the
user sees at once that, say, Ollama was not running and the API key was missing.
"""

from __future__ import annotations

from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import Provider

NAME = "auto"


class AutoProvider:
    name = NAME

    def __init__(self, candidates: list[tuple[Provider, dict[str, Any]]]) -> None:
        self.candidates = candidates

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        failures: list[tuple[Provider, dict[str, Any], ToolError]] = []
        for provider, candidate_settings in self.candidates:
            try:
                answer = provider.call(call, candidate_settings)
            except ToolError as error:
                failures.append((provider, candidate_settings, error))
                continue
            earlier = [
                {"attempt": i + 1, "provider": p.name, "status": "error", "kind": e.kind,
                 "message": e.message}
                for i, (p, _s, e) in enumerate(failures)
            ]
            own = [{**a, "attempt": len(earlier) + 1} for a in answer.attempts[-1:]]
            answer.attempts = earlier + own
            return answer
        raise _all_failed(failures)


def _all_failed(failures: list[tuple[Provider, dict[str, Any], ToolError]]) -> ToolError:
    lines = [f"provider unavailable: auto (all {len(failures)} providers failed)"]
    for number, (provider, settings, error) in enumerate(failures, start=1):
        where = f" at {settings['base_url']}" if settings.get("base_url") else ""
        detail = error.message.replace("\n", " ")
        lines.append(f"  {number}. {provider.name}{where}: {detail}")
        if error.hint:
            lines.append(f"     hint: {error.hint}")
    return ToolError(
        "ProviderUnavailable",
        "\n".join(lines),
        "start a local Ollama server (ollama serve) or configure base_url and api_key_env "
        "under [providers.config.openai-compatible] in lumen.toml",
    )
