"""Real protocol peers on loopback for the tool-runtime tests, the examples and end-to-end
runs: an HTTP server speaking the OpenAI chat-completions API and Ollama's chat API, and the
command line of a small MCP server (fixtures/mcp_server.py) run over stdio.

Nothing here mocks a client: providers talk HTTP / JSON-RPC to these servers for real.

    with FakeModelServer() as server:
        server.script("openai", openai_reply('{"name": "Ada"}'), error_reply(429, "slow down",
                      headers={"Retry-After": "0"}))
        settings = {"base_url": server.openai_base_url, "default_model": "fake-model"}

Replies are served in this order: a scripted reply queued for the route (`script`), else the
first rule whose text occurs in the last user message (`when`), else an echo of that message
(`echo: TEXT`), so every run is deterministic. Every request is kept in `server.requests`.

Run it by hand for the examples:
`python3 -m tests.runtime.servers --port 8765 --when 'capital of France=Paris'`.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MCP_SERVER_SCRIPT = FIXTURES / "mcp_server.py"
DEFAULT_MODEL = "fake-model"

OPENAI_PATHS = ("/v1/chat/completions", "/chat/completions")
OLLAMA_PATH = "/api/chat"


@dataclass
class Reply:
    """One canned HTTP answer. A dict or list body is sent as JSON; `delay_s` holds the
    answer back (for time-outs)."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), "text/plain; charset=utf-8"
        return json.dumps(self.body).encode("utf-8"), "application/json"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def last_user_message(self) -> str:
        payload = self.json
        messages = payload.get("messages", []) if isinstance(payload, dict) else []
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return str(message.get("content", ""))
        return ""


def openai_reply(content: str | None = "", *, tool_calls: list[dict[str, Any]] | None = None,
                 prompt_tokens: int = 12, completion_tokens: int = 7,
                 model: str = DEFAULT_MODEL, delay_s: float = 0.0,
                 usage: bool = True) -> Reply:
    """A chat.completion object as the OpenAI API sends it."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function",
             "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments", {}))}}
            for i, c in enumerate(tool_calls)
        ]
    body: dict[str, Any] = {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message,
                     "finish_reason": "tool_calls" if tool_calls else "stop"}],
    }
    if usage:
        body["usage"] = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                         "total_tokens": prompt_tokens + completion_tokens}
    return Reply(200, body, delay_s=delay_s)


def ollama_reply(content: str = "", *, tool_calls: list[dict[str, Any]] | None = None,
                 prompt_eval_count: int = 11, eval_count: int = 6,
                 model: str = DEFAULT_MODEL, delay_s: float = 0.0) -> Reply:
    """A non-streaming /api/chat answer as Ollama sends it."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [{"function": {"name": c["name"],
                                               "arguments": c.get("arguments", {})}}
                                 for c in tool_calls]
    body = {"model": model, "created_at": "2024-01-01T00:00:00Z", "message": message,
            "done": True, "done_reason": "stop", "total_duration": 1000,
            "prompt_eval_count": prompt_eval_count, "eval_count": eval_count}
    return Reply(200, body, delay_s=delay_s)


def error_reply(status: int, message: str, *, api: str = "openai",
                headers: dict[str, str] | None = None) -> Reply:
    """An error body in the API's own shape (`{"error": {...}}` or Ollama's `{"error": "…"}`)."""
    if api == "ollama":
        body: Any = {"error": message}
    else:
        body = {"error": {"message": message, "type": "invalid_request_error", "code": status}}
    return Reply(status, body, headers=headers or {})


class FakeModelServer:
    """A loopback HTTP server in a thread; `with FakeModelServer() as s:` starts and stops it."""

    def __init__(self, *, api_key: str | None = None, models: set[str] | None = None,
                 port: int = 0) -> None:
        self.api_key = api_key  # when set, OpenAI routes demand `Authorization: Bearer KEY`
        self.models = models  # when set, other model names get the API's 404
        self.requests: list[RecordedRequest] = []
        self.routes: dict[tuple[str, str], Reply] = {}
        self._scripts: dict[str, deque[Reply]] = {}
        self._rules: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- set-up

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + "/v1"

    def script(self, api: str, *replies: Reply) -> None:
        """Queue replies for `openai`, `ollama` or an exact path; each is served once."""
        with self._lock:
            self._scripts.setdefault(api, deque()).extend(replies)

    def when(self, text: str, content: str) -> None:
        """Answer `content` whenever the last user message contains `text`."""
        with self._lock:
            self._rules.append((text, content))

    def route(self, method: str, path: str, reply: Reply) -> None:
        """A fixed answer for any other path (for the http tools)."""
        self.routes[(method.upper(), path)] = reply

    def lumen_toml(self, tool_ids: tuple[str, ...] = ("llm.chat",),
                   provider: str = "openai-compatible", model: str = DEFAULT_MODEL,
                   api_key_env: str | None = None, retry: str | None = None) -> str:
        """A lumen.toml that maps `tool_ids` to `provider` on this server (`auto` points
        both of its candidates here). `retry` is the body of the retry table, e.g.
        `"max_retries = 1\\nbase_delay_ms = 1"`."""
        lines = ["[providers]"]
        lines += [f'"{tool_id}" = "{provider}"' for tool_id in tool_ids]
        configured = ["ollama", "openai-compatible"] if provider == "auto" else [provider]
        for name in configured:
            base = self.url if name == "ollama" else self.openai_base_url
            lines += ["", f"[providers.config.{name}]", f'base_url = "{base}"',
                      f'default_model = "{model}"']
            if api_key_env and name != "ollama":
                lines.append(f'api_key_env = "{api_key_env}"')
            if retry:
                lines += ["", f"[providers.config.{name}.retry]", retry]
        return "\n".join(lines) + "\n"

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in OPENAI_PATHS or r.path == OLLAMA_PATH]

    def start(self) -> FakeModelServer:
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever for a loop never run
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- answering

    def _next_scripted(self, key: str) -> Reply | None:
        with self._lock:
            queue = self._scripts.get(key)
            return queue.popleft() if queue else None

    def answer(self, request: RecordedRequest) -> Reply:
        path = request.path.split("?", 1)[0]
        if path in OPENAI_PATHS:
            return self._chat(request, "openai")
        if path == OLLAMA_PATH:
            return self._chat(request, "ollama")
        scripted = self._next_scripted(path)
        if scripted is not None:
            return scripted
        if path == "/api/tags":
            names = sorted(self.models or {DEFAULT_MODEL})
            return Reply(200, {"models": [{"name": n, "model": n} for n in names]})
        fixed = self.routes.get((request.method, path))
        if fixed is not None:
            return fixed
        if path == "/echo":
            return Reply(200, {"method": request.method, "headers": request.headers,
                               "body": request.body.decode("utf-8", "replace")},
                         headers={"X-Fake": "yes"})
        return Reply(404, {"error": f"no route {request.method} {path}"})

    def _chat(self, request: RecordedRequest, api: str) -> Reply:
        payload = request.json
        if not isinstance(payload, dict):
            return error_reply(400, "request body is not JSON", api=api)
        if api == "openai" and self.api_key is not None:
            given = request.headers.get("authorization", "")
            if given != f"Bearer {self.api_key}":
                # Like real services, echo (part of) the key that was sent: the provider
                # must keep it out of every message.
                return error_reply(401, f"Incorrect API key provided: {given!r}")
        model = payload.get("model")
        if self.models is not None and model not in self.models:
            if api == "ollama":
                return error_reply(404, f'model "{model}" not found, try pulling it first',
                                   api="ollama")
            return error_reply(404, f"The model `{model}` does not exist")
        scripted = self._next_scripted(api)
        if scripted is not None:
            return scripted
        text = request.last_user_message
        content = next((c for t, c in self._rules if t in text), f"echo: {text}")
        return openai_reply(content) if api == "openai" else ollama_reply(content)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = RecordedRequest(self.command, self.path,
                                          {k.lower(): v for k, v in self.headers.items()}, body)
                with server._lock:
                    server.requests.append(request)
                reply = server.answer(request)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                data, content_type = reply.encoded()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


def mcp_toml(server: str = "fixture", *flags: str) -> str:
    """The `[providers.mcp.SERVER]` table that serves the fixture MCP server's tools."""
    return f"[providers.mcp.{server}]\nuri = {json.dumps(mcp_server_command(*flags))}\n"


def mcp_server_command(*flags: str) -> str:
    """The `uri` of `[providers.mcp.SERVER]` that starts the fixture MCP server."""
    parts = [sys.executable, str(MCP_SERVER_SCRIPT), *flags]
    return " ".join(json.dumps(p) if " " in p else p for p in parts)


@pytest.fixture
def model_server() -> Iterator[FakeModelServer]:
    with FakeModelServer() as server:
        yield server


def _serve_forever(port: int, rules: list[str]) -> None:
    server = FakeModelServer(port=port).start()
    for rule in rules:
        text, _, answer = rule.partition("=")
        server.when(text, answer)
    print(f"fake model server on {server.url} (OpenAI base_url {server.openai_base_url}, "
          f"Ollama base_url {server.url}); Ctrl-C stops it", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--when", action="append", default=[], metavar="TEXT=ANSWER",
                        help="answer ANSWER when the last user message contains TEXT")
    options = parser.parse_args()
    _serve_forever(options.port, options.when)
