"""Built-in `json` tool: `json(text: s)` (or `json.parse`) parses JSON text, `json(value: v)`
(or `json.stringify`) writes compact JSON with sorted keys (the §10.11 form)."""

from __future__ import annotations

import json
import time
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import invalid_args, result

NAME = "json"


class JsonProvider:
    name = NAME

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        operation = call.tool_id.removeprefix("json").removeprefix(".")
        if operation not in ("", "parse", "stringify"):
            raise ToolError("NotFound", f"tool not found: {call.tool_id}")
        text = call.args.get("text")
        if operation == "parse" or (operation == "" and "text" in call.args):
            text = text if text is not None else call.args.get("arg0")
            if not isinstance(text, str):
                raise invalid_args("json parse needs a string argument 'text'")
            try:
                value: Any = json.loads(text)
            except json.JSONDecodeError as error:
                raise invalid_args(f"not JSON: {error.msg} at line {error.lineno} column "
                                   f"{error.colno}") from None
        else:
            if "value" in call.args:
                subject = call.args["value"]
            elif "arg0" in call.args:
                subject = call.args["arg0"]
            else:
                raise invalid_args("json needs 'text' (to parse) or 'value' (to write)")
            value = json.dumps(subject, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False)
        return result(call, self.name, value, started)
