"""What the chat providers (openai-compatible, ollama, auto) share: building the message list
from a tool call's argument map, function-tool declarations, and the shape of the result.

Arguments (§12.2, role blocks §6.11): `messages` (a list of `{role, content}` maps) wins;
otherwise `system`, `user`, `assistant` (role blocks, whose value starts with `"ROLE: "`) and
`prompt` / the first positional argument `arg0` (a user message) are gathered in that order.

Result: the assistant's text as a String; when the call declared `tools` (function calling)
it is a map `{content, tool_calls: [{id, name, arguments}], finish_reason}` instead, so a
program can tell a function request from an answer.
"""

from __future__ import annotations

import json
from typing import Any

from lumen.runtime.calls import ToolCall
from lumen.runtime.providers.base import invalid_args, option

ROLES = ("system", "user", "assistant")


def _strip_role_prefix(role: str, text: str) -> str:
    prefix = f"{role}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def chat_messages(args: dict[str, Any]) -> list[dict[str, Any]]:
    messages = args.get("messages")
    if messages is not None:
        if not isinstance(messages, list) or not all(
            isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages
        ):
            raise invalid_args("'messages' must be a list of maps with 'role' and 'content'")
        return [dict(m) for m in messages]
    built: list[dict[str, Any]] = []
    for role in ROLES:
        value = args.get(role)
        if isinstance(value, str):
            built.append({"role": role, "content": _strip_role_prefix(role, value)})
    for key in ("prompt", "arg0"):
        value = args.get(key)
        if value is not None:
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            built.append({"role": "user", "content": text})
            break
    if not built:
        raise invalid_args(
            "a chat tool needs 'prompt', a role block (role user: …) or 'messages'",
            "call it as Chat(prompt: \"…\") or Chat(role user: …)",
        )
    return built


def function_tools(args: dict[str, Any]) -> list[dict[str, Any]] | None:
    """`tools` as OpenAI-style function declarations (also what Ollama accepts)."""
    tools = args.get("tools")
    if tools is None:
        return None
    if not isinstance(tools, list):
        raise invalid_args("'tools' must be a list of function declarations")
    declared: list[dict[str, Any]] = []
    for tool in tools:
        if not isinstance(tool, dict):
            raise invalid_args("each entry of 'tools' must be a map with a 'name'")
        if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
            declared.append(tool)
            continue
        if not isinstance(tool.get("name"), str):
            raise invalid_args("each entry of 'tools' must be a map with a 'name'")
        function = {
            "name": tool["name"],
            "description": tool.get("description", ""),
            "parameters": tool.get("parameters", {"type": "object", "properties": {}}),
        }
        declared.append({"type": "function", "function": function})
    return declared


def model_name(call: ToolCall, settings: dict[str, Any], provider: str) -> str:
    model = option(call, settings, "model") or settings.get("default_model")
    if not isinstance(model, str) or not model:
        raise invalid_args(
            f"no model given for {provider}",
            f"pass model: \"…\", grant it, or set default_model in [providers.config.{provider}]",
        )
    return model


def chat_value(
    content: str, tool_calls: list[dict[str, Any]], finish_reason: Any, wants_tools: bool
) -> Any:
    if not wants_tools:
        return content
    return {"content": content, "tool_calls": tool_calls, "finish_reason": finish_reason}


def parse_arguments(raw: Any) -> Any:
    """Function-call arguments arrive as a JSON string (OpenAI) or an object (Ollama)."""
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            return raw
    return raw if raw is not None else {}
