"""A tiny LSP client for tests: starts `python3 -m lumen lsp` and talks JSON-RPC over its
stdin/stdout with Content-Length framing. Notifications from the server (diagnostics, log
messages) are kept so that tests can wait for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

TIMEOUT = 20.0


class LspClient:
    def __init__(self, root: Path | None = None) -> None:
        """Start a server; `root` is the workspace folder (it may also be given later, to
        `initialize`, so that a server can start before its workspace exists)."""
        # The user's cache folder is kept: a fresh one would rebuild the parser tables.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lumen", "lsp"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._responses: dict[int, Any] = {}
        self.notifications: list[dict[str, Any]] = []
        self._incoming: Queue[dict[str, Any]] = Queue()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.root = root or Path.cwd()
        self.initialize_result: dict[str, Any] = {}

    # ---- framing

    def _read_loop(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                header = header.strip()
                if not header:
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            if length is None:
                continue
            self._incoming.put(json.loads(stream.read(length).decode("utf-8")))

    def _send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message).encode("utf-8"))

    def send_raw(self, body: bytes) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        stdin.flush()

    def _pump(self, until: float) -> None:
        """Read one incoming message (or time out)."""
        remaining = until - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from the language server")
        try:
            message = self._incoming.get(timeout=remaining)
        except Empty:
            raise TimeoutError("no answer from the language server") from None
        if "id" in message and "method" not in message:
            self._responses[message["id"]] = message
        elif "id" in message:  # a request from the server (e.g. registerCapability)
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        else:
            self.notifications.append(message)

    # ---- requests

    def request_message(self, method: str, params: Any) -> dict[str, Any]:
        """Send a request and return the whole response message (result or error)."""
        self._next_id += 1
        request_id = self._next_id
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        until = time.monotonic() + TIMEOUT
        while request_id not in self._responses:
            self._pump(until)
        return self._responses.pop(request_id)

    def request(self, method: str, params: Any) -> Any:
        response = self.request_message(method, params)
        assert "error" not in response, response
        return response.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_for(self, method: str, predicate: Any = None) -> dict[str, Any]:
        """The first notification `method` (matching `predicate(params)`), consumed."""
        until = time.monotonic() + TIMEOUT
        while True:
            for index, message in enumerate(self.notifications):
                if message.get("method") == method and (predicate is None or predicate(message["params"])):
                    return self.notifications.pop(index)["params"]  # type: ignore[no-any-return]
            self._pump(until)

    # ---- LSP conveniences

    def initialize(self, root: Path | None = None,
                   capabilities: dict[str, Any] | None = None) -> dict[str, Any]:
        if root is not None:
            self.root = root
        result = self.request("initialize", {"processId": os.getpid(), "rootUri": self.root.as_uri(),
                                             "capabilities": capabilities or {}})
        self.notify("initialized", {})
        self.initialize_result = result
        return result  # type: ignore[no-any-return]

    def open(self, path: Path, text: str | None = None, version: int = 1) -> str:
        """didOpen `path` (its text from disk unless given) and return its URI."""
        uri = path.resolve().as_uri()
        if text is None:
            text = path.read_text(encoding="utf-8")
        language = "markdown" if path.name.endswith(".md") else "lumen"
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": version, "text": text}})
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]})

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict[str, Any]]:
        """Wait for the diagnostics published for `uri` (for `version`, when given)."""
        def matches(params: dict[str, Any]) -> bool:
            return params["uri"] == uri and (version is None or params.get("version") == version)
        return self.wait_for("textDocument/publishDiagnostics", matches)["diagnostics"]  # type: ignore[no-any-return]

    def at(self, uri: str, line: int, character: int) -> dict[str, Any]:
        """Text document position params (0-based line and character)."""
        return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}

    def shutdown(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - the server is killed below anyway
            pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def position_of(text: str, needle: str, occurrence: int = 1, offset: int = 0) -> tuple[int, int]:
    """The 0-based (line, character) of the `occurrence`-th `needle` in `text`, plus
    `offset` characters (ASCII fixtures only)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    return line, column + offset
