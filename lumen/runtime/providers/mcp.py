"""`mcp`: tools of Model Context Protocol servers run as subprocesses over stdio, or reached
over HTTP (a `uri` starting with `http://` or `https://`: mcp_http.py).

`[providers.mcp.SERVER]` gives `uri` (the command line that starts the server), optionally
`tools` (the tool ids it serves, `SERVER.TOOL`), `env` (extra environment variables) and
`timeout_ms`. The client speaks JSON-RPC 2.0 with one message per line: `initialize`, the
`notifications/initialized` notification, `tools/list`, `tools/call`. A server process is
started on first use and kept for the rest of the run (`close_all` ends them).

A result with `structuredContent` gives that value; otherwise the text parts joined. A
result with `isError` is `ExecutionFailed` with the server's text.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import shlex
import subprocess
import threading
import time
from collections import deque
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import (
    execution_failed,
    invalid_args,
    result,
    timeout_error,
    timeout_ms,
    unavailable,
)

NAME = "mcp"
PROTOCOL_VERSION = "2024-11-05"
_STDERR_LINES = 20


class McpClient:
    """One running server. Requests are serialised; a reader thread feeds replies to a queue
    so a silent server turns into a Timeout instead of a hang."""

    def __init__(self, server: str, command: list[str], env: dict[str, str] | None = None):
        self.server = server
        self.command = command
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=_STDERR_LINES)
        self.lock = threading.Lock()
        self.next_id = 0
        self.tools: list[dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        return f"mcp:{self.server}"

    def start(self, limit_ms: int) -> None:
        try:
            self.process = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env={**os.environ, **self.env},
            )
        except OSError as error:
            raise unavailable(self.label, f"cannot start {self.command[0]!r}: "
                              f"{error.strerror or error}",
                              f"check uri under [providers.mcp.{self.server}]") from None
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.request("initialize", {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "lumen", "version": "0.1.0"},
        }, limit_ms)
        self.notify("notifications/initialized", {})

    def _read_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                self.stderr_tail.append(f"(not JSON on stdout) {line[:200]}")
                continue
            if isinstance(message, dict):
                self.replies.put(message)
        self.replies.put(None)  # end of stream

    def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for raw in self.process.stderr:
            self.stderr_tail.append(raw.decode("utf-8", errors="replace").rstrip())

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._exited() from None

    def _exited(self) -> ToolError:
        code = None
        if self.process is not None:
            try:  # stdout closes just before the exit status is there; wait a moment for it
                code = self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
        tail = " | ".join(list(self.stderr_tail)[-3:])
        reason = f"server exited with status {code}" if code is not None else "server closed"
        return unavailable(self.label, reason + (f": {tail}" if tail else ""))

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any], limit_ms: int) -> Any:
        with self.lock:
            self.next_id += 1
            request_id = self.next_id
            started = time.monotonic()
            self._send({"jsonrpc": "2.0", "id": request_id, "method": method,
                        "params": params})
            while True:
                remaining = limit_ms / 1000 - (time.monotonic() - started)
                try:
                    message = self.replies.get(timeout=max(remaining, 0))
                except queue.Empty:
                    raise timeout_error(int((time.monotonic() - started) * 1000),
                                        limit_ms) from None
                if message is None:
                    self.replies.put(None)
                    raise self._exited()
                if message.get("id") != request_id:
                    continue  # a notification or a late answer to a timed-out request
                if "error" in message:
                    raise self._rpc_error(method, message["error"])
                return message.get("result")

    def _rpc_error(self, method: str, error: Any) -> ToolError:
        text = error.get("message", str(error)) if isinstance(error, dict) else str(error)
        code = error.get("code") if isinstance(error, dict) else None
        if code in (-32601,):
            return ToolError("NotFound", f"tool not found: {self.server} ({method}: {text})")
        if code == -32602:
            return invalid_args(f"{self.server}: {text}")
        return execution_failed(f"{self.server}: {text}")

    def list_tools(self, limit_ms: int) -> list[dict[str, Any]]:
        if self.tools is None:
            answer = self.request("tools/list", {}, limit_ms) or {}
            tools = answer.get("tools", []) if isinstance(answer, dict) else []
            self.tools = [t for t in tools if isinstance(t, dict) and "name" in t]
        return self.tools

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                if self.process.stdin:
                    self.process.stdin.close()
                self.process.wait(timeout=1)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


_clients: dict[tuple[str, tuple[str, ...]], McpClient] = {}
_clients_lock = threading.Lock()


def client_for(server: str, settings: dict[str, Any], limit_ms: int) -> McpClient:
    uri = settings.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        raise unavailable(f"mcp:{server}", "no uri configured",
                          f"set uri = \"COMMAND\" under [providers.mcp.{server}]")
    if uri.startswith(("http://", "https://")):
        from lumen.runtime.providers.mcp_http import http_client_for

        return http_client_for(server, uri.strip(), settings, limit_ms)
    command = shlex.split(uri)
    key = (server, tuple(command))
    with _clients_lock:
        client = _clients.get(key)
        if client is not None and client.process is not None and client.process.poll() is None:
            return client
        env = {str(k): str(v) for k, v in (settings.get("env") or {}).items()}
        client = McpClient(server, command, env)
        _clients[key] = client
    try:
        client.start(limit_ms)
    except ToolError:
        client.close()
        with _clients_lock:
            _clients.pop(key, None)
        raise
    return client


def close_all() -> None:
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()
    import sys

    http = sys.modules.get("lumen.runtime.providers.mcp_http")
    if http is not None:  # only when an HTTP server was used
        http.close_http_clients()


atexit.register(close_all)


def list_server_tools(server: str, settings: dict[str, Any]) -> list[str]:
    """The tool ids (`server.tool`) a server offers."""
    limit = int(settings.get("timeout_ms", 10_000))
    return [f"{server}.{t['name']}" for t in client_for(server, settings, limit).list_tools(limit)]


class McpProvider:
    name = NAME

    def __init__(self, servers: dict[str, dict[str, Any]] | None = None) -> None:
        self.servers = servers or {}

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        server, tool, server_settings = self._server_of(call.tool_id)
        settings = {**settings, **server_settings}
        limit = timeout_ms(call, settings)
        client = client_for(server, settings, limit)
        names = {t["name"] for t in client.list_tools(limit)}
        if tool not in names:
            offered = ", ".join(sorted(names)) or "none"
            raise ToolError("NotFound", f"tool not found: {call.tool_id}",
                            f"server '{server}' offers: {offered}")
        arguments = {k: v for k, v in call.args.items() if k != "timeout_ms"}
        answer = client.request("tools/call", {"name": tool, "arguments": arguments}, limit)
        return result(call, f"{NAME}:{server}", _tool_value(call, answer), started)


    def _server_of(self, tool_id: str) -> tuple[str, str, dict[str, Any]]:
        """(server label, tool name, server settings) of `SERVER.TOOL` (a configured server)
        or `mcp:URI.TOOL` (a server declared in the program: `use tool mcp "URI" as A`,
        called as `A.TOOL(…)`)."""
        if tool_id.startswith("mcp:"):
            uri, _, tool = tool_id[4:].rpartition(".")
            if not uri or not tool.isidentifier():
                raise ToolError("NotFound", f"tool not found: {tool_id}",
                                "call a tool of an MCP server alias as ALIAS.TOOL(…)")
            return uri, tool, {"uri": uri}
        server, _, tool = tool_id.partition(".")
        if not tool:
            raise ToolError("NotFound", f"tool not found: {tool_id}",
                            "MCP tools are named SERVER.TOOL")
        if server not in self.servers:
            raise unavailable(f"mcp:{server}", "no such MCP server is configured",
                              f"add [providers.mcp.{server}] with uri = \"COMMAND\"")
        return server, tool, self.servers[server]


def _tool_value(call: ToolCall, answer: Any) -> Any:
    if not isinstance(answer, dict):
        raise execution_failed(f"{call.tool_id}: the server answered without a result")
    parts = answer.get("content") or []
    texts = [p.get("text", "") for p in parts if isinstance(p, dict) and p.get("type") == "text"]
    if answer.get("isError"):
        raise execution_failed(f"{call.tool_id}: {' '.join(texts) or 'the tool failed'}")
    if "structuredContent" in answer:
        return answer["structuredContent"]
    if len(texts) == len(parts):
        return "\n".join(texts)
    return parts
