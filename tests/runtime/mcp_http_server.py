"""A small MCP server speaking the streamable-HTTP transport, on loopback, for the tests.

POST /mcp takes one JSON-RPC message. `initialize` answers JSON and opens a session
(`Mcp-Session-Id`); every later message must carry that id (else 400, or 404 for an ended
session); notifications are answered 202. `tools/call` answers as a server-sent event
stream (a progress notification first, then the response); `tools/list` and `ping` answer
JSON (`sse_everything` makes every request an event stream). DELETE /mcp ends the session.
With `token`, requests need `Authorization: Bearer TOKEN` (else 401).

Tools: `echo(text)`, `add(a, b)` (structured `{sum}`), `fail()` (`isError`), `slow(ms)`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOOLS = [
    {"name": "echo", "inputSchema": {"type": "object",
                                     "properties": {"text": {"type": "string"}}}},
    {"name": "add", "inputSchema": {"type": "object"}},
    {"name": "fail", "inputSchema": {"type": "object"}},
    {"name": "slow", "inputSchema": {"type": "object"}},
]


def _text(value: str, is_error: bool = False) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": value}], "isError": is_error}


def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
    if name == "echo":
        return _text(str(arguments.get("text", "")))
    if name == "add":
        total = int(arguments.get("a", 0)) + int(arguments.get("b", 0))
        return {**_text(str(total)), "structuredContent": {"sum": total}}
    if name == "fail":
        return _text("the fail tool always fails", is_error=True)
    if name == "slow":
        time.sleep(int(arguments.get("ms", 0)) / 1000)
        return _text("finally")
    return None


class McpHttpServer:
    """`with McpHttpServer() as s:` serves `s.url` (the endpoint) until the block ends."""

    def __init__(self, *, token: str | None = None, sse_everything: bool = False) -> None:
        self.token = token
        self.sse_everything = sse_everything
        self.sessions: set[str] = set()
        self.ended: set[str] = set()
        self.log: list[tuple[str, str | None, dict[str, str]]] = []  # (method, rpc, headers)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/mcp"

    def __enter__(self) -> McpHttpServer:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def rpc_methods(self) -> list[str | None]:
        return [rpc for method, rpc, _ in self.log if method == "POST"]

    # ------------------------------------------------------------------ answering

    def answer(self, message: dict[str, Any], headers: dict[str, str]
               ) -> tuple[int, dict[str, str], list[dict[str, Any]] | None, bool]:
        """(status, headers, JSON-RPC messages to send, as an event stream?)"""
        method, request_id = message.get("method"), message.get("id")
        session = headers.get("mcp-session-id")
        if method == "initialize":
            session = uuid.uuid4().hex
            with self._lock:
                self.sessions.add(session)
            result = {"protocolVersion": "2025-03-26", "capabilities": {"tools": {}},
                      "serverInfo": {"name": "http-fixture", "version": "1.0"}}
            return 200, {"Mcp-Session-Id": session}, [_reply(request_id, result)], False
        if session in self.ended:
            return 404, {}, None, False
        if session not in self.sessions:
            return 400, {}, None, False
        if request_id is None:
            return 202, {}, None, False
        if method == "tools/list":
            return 200, {}, [_reply(request_id, {"tools": TOOLS})], self.sse_everything
        if method == "tools/call":
            params = message.get("params") or {}
            result = call_tool(str(params.get("name")), params.get("arguments") or {})
            if result is None:
                error = {"code": -32602, "message": f"unknown tool {params.get('name')}"}
                return 200, {}, [{"jsonrpc": "2.0", "id": request_id, "error": error}], True
            progress = {"jsonrpc": "2.0", "method": "notifications/progress",
                        "params": {"progressToken": 1, "progress": 0.5}}
            return 200, {}, [progress, _reply(request_id, result)], True
        if method == "ping":
            return 200, {}, [_reply(request_id, {})], self.sse_everything
        error = {"code": -32601, "message": f"method not found: {method}"}
        return 200, {}, [{"jsonrpc": "2.0", "id": request_id, "error": error}], False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _headers(self) -> dict[str, str]:
                return {k.lower(): v for k, v in self.headers.items()}

            def _send(self, status: int, headers: dict[str, str], body: bytes,
                      content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                headers = self._headers()
                body = self.rfile.read(int(headers.get("content-length") or 0))
                message = json.loads(body)
                server.log.append(("POST", message.get("method"), headers))
                if server.token and headers.get("authorization") != f"Bearer {server.token}":
                    self._send(401, {}, b'{"error": "bad token"}')
                    return
                if "text/event-stream" not in headers.get("accept", ""):
                    self._send(406, {}, b'{"error": "must accept text/event-stream"}')
                    return
                status, extra, replies, stream = server.answer(message, headers)
                if replies is None:
                    self._send(status, extra, b"")
                elif stream:
                    events = "".join(f"event: message\nid: {i}\ndata: {json.dumps(r)}\n\n"
                                     for i, r in enumerate(replies))
                    self._send(status, extra, (": stream opened\n\n" + events).encode(),
                               "text/event-stream")
                else:
                    self._send(status, extra, json.dumps(replies[0]).encode())

            def do_DELETE(self) -> None:  # noqa: N802
                headers = self._headers()
                server.log.append(("DELETE", None, headers))
                session = headers.get("mcp-session-id", "")
                with server._lock:
                    server.sessions.discard(session)
                    server.ended.add(session)
                self._send(200, {}, b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _reply(request_id: Any, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}
