"""`ollama`: a local Ollama server's chat API (POST `{base_url}/api/chat`, `stream: false`).

Settings (`[providers.config.ollama]`): `base_url` (default `http://127.0.0.1:11434`),
`default_model`, `temperature`, `max_tokens` (sent as `options.num_predict`), `timeout_ms`.
Token counts come from `prompt_eval_count` / `eval_count`.
"""

from __future__ import annotations

import time
from typing import Any

from lumen.runtime.calls import ToolCall, ToolResult
from lumen.runtime.providers.base import (
    estimate_tokens,
    execution_failed,
    option,
    result,
    timeout_ms,
)
from lumen.runtime.providers.chat import (
    chat_messages,
    chat_value,
    function_tools,
    model_name,
    parse_arguments,
)
from lumen.runtime.providers.openai_compatible import base_url
from lumen.runtime.providers.transport import check_model_api_status, exchange, json_body

NAME = "ollama"
DEFAULT_BASE_URL = "http://127.0.0.1:11434"


class OllamaProvider:
    name = NAME

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        url = base_url(settings, self.name, DEFAULT_BASE_URL) + "/api/chat"
        model = model_name(call, settings, self.name)
        messages = chat_messages(call.args)
        tools = function_tools(call.args)
        options: dict[str, Any] = {}
        for key, ollama_key in (("temperature", "temperature"), ("max_tokens", "num_predict"),
                                ("seed", "seed"), ("top_p", "top_p")):
            value = option(call, settings, key)
            if value is not None:
                options[ollama_key] = value
        body: dict[str, Any] = {"model": model, "messages": messages, "stream": False}
        if options:
            body["options"] = options
        if tools:
            body["tools"] = tools
        response_format = option(call, settings, "format")  # "json" or a JSON schema
        if response_format is not None:
            body["format"] = response_format
        answer = exchange(self.name, "POST", url, timeout_ms=timeout_ms(call, settings),
                          json_body=body)
        check_model_api_status(answer, self.name, model)
        payload = json_body(answer, self.name)
        message = payload.get("message")
        if not isinstance(message, dict):
            raise execution_failed(f"{NAME} answered without a message")
        content = message.get("content") or ""
        tool_calls = []
        raw_calls = message.get("tool_calls")
        for raw in raw_calls if isinstance(raw_calls, list) else []:
            function = raw.get("function") if isinstance(raw, dict) else None
            if isinstance(function, dict):
                tool_calls.append({"id": raw.get("id", ""), "name": function.get("name", ""),
                                   "arguments": parse_arguments(function.get("arguments"))})
        tokens_in = payload.get("prompt_eval_count")
        tokens_out = payload.get("eval_count")
        estimated = not isinstance(tokens_in, int) or not isinstance(tokens_out, int)
        if not isinstance(tokens_in, int):
            tokens_in = estimate_tokens("".join(str(m.get("content", "")) for m in messages))
        if not isinstance(tokens_out, int):
            tokens_out = estimate_tokens(content)
        value = chat_value(str(content), tool_calls, payload.get("done_reason"),
                           wants_tools=bool(tools))
        answered = result(call, self.name, value, started, tokens_in, tokens_out)
        answered.model, answered.tokens_estimated = model, estimated
        return answered
