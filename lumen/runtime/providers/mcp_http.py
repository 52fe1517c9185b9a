"""MCP servers over HTTP: the streamable-HTTP transport of the Model Context Protocol.

Every JSON-RPC message is POSTed to the server's one endpoint (the `uri`, `http(s)://…`)
with `Accept: application/json, text/event-stream`. A request is answered either by one
JSON object (`Content-Type: application/json`) or by a server-sent event stream whose
`message` events carry JSON-RPC messages; the stream is read until the response with the
request's id (other messages on it, such as progress notifications, are skipped). A
notification is answered `202 Accepted`. The `Mcp-Session-Id` the server gives with the
initialize response is sent with every later message, with the negotiated
`MCP-Protocol-Version`; `close` ends the session with a DELETE.

Settings of `[providers.mcp.SERVER]` used here: `uri`, `timeout_ms`, `headers` (extra
request headers) and `api_key_env` (the environment variable holding a bearer token; its
value is never shown).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from lumen.runtime.calls import ToolError
from lumen.runtime.providers.base import elapsed_ms, redact, timeout_error, unavailable
from lumen.runtime.providers.mcp import PROTOCOL_VERSION, McpClient

HTTP_PROTOCOL_VERSION = "2025-03-26"  # the first MCP version with streamable HTTP
_BODY_CHARS = 200


class McpHttpClient(McpClient):
    """One session with an MCP server over streamable HTTP (same interface as the stdio
    client: `start`, `request`, `notify`, `list_tools`, `close`)."""

    def __init__(self, server: str, url: str, headers: dict[str, str] | None = None,
                 secrets: list[str] | None = None) -> None:
        super().__init__(server, [url])
        self.url = url
        self.headers = dict(headers or {})
        self.secrets = [s for s in (secrets or []) if s]
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.closed = False

    def alive(self) -> bool:
        return not self.closed and self.protocol_version is not None

    def start(self, limit_ms: int) -> None:
        answer = self.request("initialize", {
            "protocolVersion": HTTP_PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "lumen", "version": "0.1.0"},
        }, limit_ms)
        version = answer.get("protocolVersion") if isinstance(answer, dict) else None
        self.protocol_version = version if isinstance(version, str) else PROTOCOL_VERSION
        self.notify("notifications/initialized", {})

    # ------------------------------------------------------------------ messages

    def notify(self, method: str, params: dict[str, Any]) -> None:
        import httpx

        message = {"jsonrpc": "2.0", "method": method, "params": params}
        started = time.monotonic()
        try:
            with self._post(message, 10_000, started) as response:
                response.read()  # 202 Accepted, no body (or an error text)
                if response.status_code >= 400:
                    raise self._status_error(response, method)
        except httpx.TimeoutException:
            raise timeout_error(elapsed_ms(started), 10_000) from None
        except httpx.HTTPError as error:
            raise unavailable(self.label, self._redact(f"{type(error).__name__} at "
                                                       f"{self.url}: {error}")) from None

    def request(self, method: str, params: dict[str, Any], limit_ms: int) -> Any:
        with self.lock:
            self.next_id += 1
            request_id = self.next_id
            started = time.monotonic()
            message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
            reply = self._exchange(message, request_id, method, limit_ms, started)
        if "error" in reply:
            raise self._rpc_error(method, reply["error"])
        return reply.get("result")

    def _exchange(self, message: dict[str, Any], request_id: int, method: str,
                  limit_ms: int, started: float) -> dict[str, Any]:
        import httpx

        try:
            with self._post(message, limit_ms, started) as response:
                if response.status_code >= 400:
                    response.read()
                    raise self._status_error(response, method)
                if method == "initialize":
                    self.session_id = response.headers.get("mcp-session-id") or None
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind == "text/event-stream":
                    return self._from_stream(response, request_id, limit_ms, started)
                response.read()
                return self._from_json(response.text, request_id)
        except httpx.TimeoutException:
            raise timeout_error(elapsed_ms(started), limit_ms) from None
        except httpx.HTTPError as error:
            raise unavailable(self.label, self._redact(f"{type(error).__name__} at "
                                                       f"{self.url}: {error}")) from None

    def _post(self, message: dict[str, Any], limit_ms: int, started: float) -> Any:
        from lumen.runtime.providers.transport import _client

        headers = {"Accept": "application/json, text/event-stream",
                   "Content-Type": "application/json", **self.headers}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        remaining = max(limit_ms / 1000 - (time.monotonic() - started), 0.001)
        try:
            return _client().stream("POST", self.url, headers=headers,
                                    content=json.dumps(message).encode("utf-8"),
                                    timeout=remaining)
        except ValueError as error:  # an invalid URL or header
            raise unavailable(self.label, self._redact(str(error))) from None

    def _from_json(self, text: str, request_id: int) -> dict[str, Any]:
        try:
            body = json.loads(text)
        except ValueError:
            raise unavailable(self.label, "the server answered with a body that is not "
                              f"JSON: {self._redact(text[:_BODY_CHARS])!r}") from None
        messages = body if isinstance(body, list) else [body]  # a JSON-RPC batch
        for item in messages:
            if isinstance(item, dict) and item.get("id") == request_id:
                return item
        raise unavailable(self.label, f"the server's answer holds no response to request "
                                      f"{request_id}")

    def _from_stream(self, response: Any, request_id: int, limit_ms: int,
                     started: float) -> dict[str, Any]:
        for data in sse_messages(response.iter_lines()):
            if (time.monotonic() - started) * 1000 > limit_ms:
                raise timeout_error(elapsed_ms(started), limit_ms)
            try:
                item = json.loads(data)
            except ValueError:
                continue  # not a JSON-RPC message (a comment-like payload): skip it
            if isinstance(item, dict) and item.get("id") == request_id and (
                    "result" in item or "error" in item):
                return item
        raise unavailable(self.label, f"the event stream ended without a response to "
                                      f"request {request_id}")

    def _status_error(self, response: Any, method: str) -> ToolError:
        status = response.status_code
        try:
            text = response.text.strip().replace("\n", " ")[:_BODY_CHARS]
        except Exception:  # a streamed body that was not read
            text = ""
        detail = self._redact(text) or f"HTTP {status}"
        if status in (401, 403):
            return ToolError("AuthError", f"authentication failed: {self.label} answered "
                             f"HTTP {status} ({detail})",
                             "check the token in the environment variable named by "
                             "api_key_env under [providers.mcp.SERVER]")
        if status == 404 and self.session_id:
            self.closed = True  # the session expired: a later call starts a new one
            return unavailable(self.label, f"the server ended session {self.session_id}")
        if status in (404, 405) and method == "initialize":
            return unavailable(self.label, f"{self.url} answered HTTP {status} to a POST",
                               "uri must be the server's streamable-HTTP endpoint "
                               "(often …/mcp); the older HTTP+SSE transport is not supported")
        return unavailable(self.label, f"HTTP {status} for {method}: {detail}")

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def close(self) -> None:
        """End the session (a DELETE, as the transport asks); errors do not matter here."""
        if self.closed:
            return
        self.closed = True
        if not self.session_id:
            return
        try:
            from lumen.runtime.providers.transport import _client

            headers = {**self.headers, "Mcp-Session-Id": self.session_id}
            _client().request("DELETE", self.url, headers=headers, timeout=1.0)
        except Exception:  # the server may be gone already; nothing to report at exit
            pass


def sse_messages(lines: Iterator[str]) -> Iterator[str]:
    """The data of each `message` event of a server-sent event stream (the WHATWG format:
    `event:`/`data:` fields, events separated by a blank line, `:` comments)."""
    data: list[str] = []
    event = "message"
    for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            if data and event == "message":
                yield "\n".join(data)
            data, event = [], "message"
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value or "message"
    if data and event == "message":
        yield "\n".join(data)


_http_clients: dict[tuple[str, str], McpHttpClient] = {}
_http_lock = threading.Lock()


def http_client_for(server: str, url: str, settings: dict[str, Any],
                    limit_ms: int) -> McpHttpClient:
    """The session with the server at `url`, started on first use and kept for the run."""
    key = (server, url)
    with _http_lock:
        client = _http_clients.get(key)
        if client is not None and client.alive():
            return client
        headers, secrets = _request_headers(server, settings)
        client = McpHttpClient(server, url, headers, secrets)
        _http_clients[key] = client
    try:
        client.start(limit_ms)
    except ToolError:
        client.closed = True
        with _http_lock:
            _http_clients.pop(key, None)
        raise
    return client


def _request_headers(server: str, settings: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    headers = {str(k): str(v) for k, v in (settings.get("headers") or {}).items()}
    variable = settings.get("api_key_env")
    if not variable:
        return headers, []
    token = os.environ.get(str(variable))
    if not token:
        raise ToolError("AuthError",
                        f"authentication failed: environment variable {variable} is not set "
                        f"(api_key_env of [providers.mcp.{server}])",
                        f"export {variable}=… before running")
    headers["Authorization"] = f"Bearer {token}"
    return headers, [token]


def close_http_clients() -> None:
    with _http_lock:
        clients = list(_http_clients.values())
        _http_clients.clear()
    for client in clients:
        client.close()
