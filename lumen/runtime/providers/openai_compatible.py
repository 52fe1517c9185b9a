"""`openai-compatible`: any server with the OpenAI chat-completions API (POST
`{base_url}/chat/completions`).

Settings (`[providers.config.openai-compatible]`): `base_url` (required), `api_key_env` (the
name of the environment variable holding the key; the value is read at call time and never
shown), `default_model`, `temperature`, `max_tokens`, `timeout_ms`. Call arguments and grant
values (`model`, `temperature`, `max_tokens`, `tools`, `tool_choice`) override settings.
"""

from __future__ import annotations

import os
import time
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import (
    estimate_tokens,
    execution_failed,
    option,
    result,
    timeout_ms,
    unavailable,
)
from lumen.runtime.providers.chat import (
    chat_messages,
    chat_value,
    function_tools,
    model_name,
    parse_arguments,
)
from lumen.runtime.providers.transport import check_model_api_status, exchange, json_body

NAME = "openai-compatible"


def api_key(settings: dict[str, Any], provider: str = NAME) -> str | None:
    """The secret named by `api_key_env`, or None when no key is configured."""
    variable = settings.get("api_key_env")
    if not variable:
        return None
    value = os.environ.get(str(variable))
    if not value:
        raise ToolError(
            "AuthError",
            f"authentication failed: environment variable {variable} is not set "
            f"(api_key_env of {provider})",
            f"export {variable}=… before running, or remove api_key_env for a local server",
        )
    return value


def base_url(settings: dict[str, Any], provider: str, default: str | None = None) -> str:
    url = settings.get("base_url") or default
    if not isinstance(url, str) or not url:
        raise unavailable(
            provider,
            "no base_url configured",
            f"set base_url under [providers.config.{provider}] in lumen.toml",
        )
    return url.rstrip("/")


class OpenAICompatibleProvider:
    name = NAME

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        url = base_url(settings, self.name) + "/chat/completions"
        model = model_name(call, settings, self.name)
        messages = chat_messages(call.args)
        tools = function_tools(call.args)
        body: dict[str, Any] = {"model": model, "messages": messages}
        for key in ("temperature", "max_tokens", "top_p", "stop", "seed", "response_format"):
            value = option(call, settings, key)
            if value is not None:
                body[key] = value
        if tools:
            body["tools"] = tools
            choice = option(call, settings, "tool_choice")
            if choice is not None:
                body["tool_choice"] = choice
        key = api_key(settings)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        answer = exchange(
            self.name, "POST", url, timeout_ms=timeout_ms(call, settings), headers=headers,
            json_body=body, secrets=[key] if key else [],
        )
        check_model_api_status(answer, self.name, model)
        payload = json_body(answer, self.name)
        content, tool_calls, finish = _first_choice(payload)
        usage = payload.get("usage") if isinstance(payload.get("usage"), dict) else {}
        tokens_in = usage.get("prompt_tokens")
        tokens_out = usage.get("completion_tokens")
        estimated = not isinstance(tokens_in, int) or not isinstance(tokens_out, int)
        if not isinstance(tokens_in, int):
            tokens_in = estimate_tokens("".join(str(m.get("content", "")) for m in messages))
        if not isinstance(tokens_out, int):
            tokens_out = estimate_tokens(content)
        value = chat_value(content, tool_calls, finish, wants_tools=bool(tools))
        answered = result(call, self.name, value, started, tokens_in, tokens_out)
        answered.model, answered.tokens_estimated = model, estimated
        return answered


def _first_choice(payload: dict[str, Any]) -> tuple[str, list[dict[str, Any]], Any]:
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise execution_failed(f"{NAME} answered without choices")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise execution_failed(f"{NAME} answered without a message")
    content = message.get("content") or ""
    if not isinstance(content, str):
        content = str(content)
    calls = []
    raw_calls = message.get("tool_calls")
    for raw in raw_calls if isinstance(raw_calls, list) else []:
        function = raw.get("function") if isinstance(raw, dict) else None
        if isinstance(function, dict):
            calls.append({"id": raw.get("id", ""), "name": function.get("name", ""),
                          "arguments": parse_arguments(function.get("arguments"))})
    return content, calls, choices[0].get("finish_reason")
