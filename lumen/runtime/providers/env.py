"""Built-in `env.*` tools: get, set, list, has, cwd, home, platform, args.

`env.list` returns variable names only, and the variables named by any `api_key_env` in the
configuration (handed over by the registry) cannot be read through `env.get`:
a tool result is written to the trace, and secrets must never be.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import invalid_args, result, string_argument

NAME = "env"


class EnvProvider:
    name = NAME

    def __init__(self, secret_names: list[str] | None = None) -> None:
        self.secret_names = set(secret_names or [])

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        operation = call.tool_id.removeprefix("env.")
        secret_names = self.secret_names | set(settings.get("secret_names", []))
        if operation in ("get", "has", "set"):
            name = string_argument(call, "name", 0)
            assert name is not None
            if operation == "get":
                if name in secret_names:
                    raise ToolError(
                        "PolicyViolation",
                        f"policy violation for '{call.alias}': {name} holds an API key "
                        "(api_key_env) and is not readable by programs",
                        "secrets are used by providers only and never enter a program",
                    )
                value: Any = os.environ.get(name, call.args.get("default"))
            elif operation == "has":
                value = name in os.environ
            else:
                new = call.args.get("value", call.args.get("arg1"))
                if not isinstance(new, str):
                    raise invalid_args("env.set needs a string argument 'value'")
                try:
                    os.environ[name] = new
                except (ValueError, OSError):
                    raise invalid_args(f"env.set: '{name}' is not a valid variable name "
                                       "or the value holds a NUL character") from None
                value = None
        elif operation == "list":
            value = sorted(os.environ)
        elif operation == "cwd":
            value = os.getcwd()
        elif operation == "home":
            value = str(Path.home())
        elif operation == "platform":
            value = sys.platform if sys.platform != "linux" else platform.system().lower()
        elif operation == "args":
            value = list(settings.get("args", []))
        else:
            raise ToolError("NotFound", f"tool not found: {call.tool_id}")
        return result(call, self.name, value, started)
