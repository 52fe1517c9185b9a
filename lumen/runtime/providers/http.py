"""Built-in `http.get`, `http.post`, `http.put`, `http.delete` (httpx).

Arguments: `url`, optional `headers` (a map of strings) and `body` (a String is sent as is,
any other JSON value as a JSON body). The result is `{status, body, headers}` for every
status: a 404 is data the program may inspect, not a failure. Transport failures are
`ProviderUnavailable`, and a call slower than its `timeout_ms` is `Timeout`. The grant's
`domain` is checked by the session before the call reaches this provider.
"""

from __future__ import annotations

import time
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import invalid_args, result, string_argument, timeout_ms
from lumen.runtime.providers.transport import exchange

NAME = "http"
METHODS = {"get": "GET", "post": "POST", "put": "PUT", "delete": "DELETE"}


class HttpProvider:
    name = NAME

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        method = METHODS.get(call.tool_id.removeprefix("http."))
        if method is None:
            raise ToolError("NotFound", f"tool not found: {call.tool_id}")
        url = string_argument(call, "url", 0)
        assert url is not None
        headers = call.args.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise invalid_args("'headers' must be a map of strings")
        body = call.args.get("body")
        content = body if isinstance(body, str) else None
        json_body = body if body is not None and not isinstance(body, str) else None
        answer = exchange(self.name, method, url, timeout_ms=timeout_ms(call, settings),
                          headers=headers, json_body=json_body, content=content)
        value = {"status": answer.status, "body": answer.text, "headers": answer.headers}
        return result(call, self.name, value, started)
