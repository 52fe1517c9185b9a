"""The server survives what editors send: deep expressions, features that fail, text
that does not parse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lumen.lsp.server import _guarded
from tests.lsp.client import LspClient

DEEP = "cell main()\n  let x = " + " + ".join(["1"] * 3000) + "\n  print(x)\nend\n"


def test_deeply_nested_expression(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "deep.lm", DEEP)
    assert server.diagnostics(uri) == []
    shown = server.request("textDocument/hover", server.at(uri, 2, 9))
    assert shown["contents"]["value"] == "```lumen\nlet x: Int\n```"
    tokens = server.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
    assert len(tokens["data"]) > 5 * 3000


def test_every_request_on_unparsable_text_answers(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "half.lm", "cell main(\n  let = \nend\n")
    assert server.diagnostics(uri)
    position = server.at(uri, 1, 4)
    for method in ("textDocument/hover", "textDocument/definition", "textDocument/completion",
                   "textDocument/signatureHelp", "textDocument/documentHighlight",
                   "textDocument/prepareRename"):
        response = server.request_message(method, position)
        assert "error" not in response, (method, response)
    for method in ("textDocument/documentSymbol", "textDocument/foldingRange",
                   "textDocument/semanticTokens/full"):
        assert "error" not in server.request_message(method, {"textDocument": {"uri": uri}})


class _FakeServer:
    def __init__(self) -> None:
        self.logged: list[str] = []

    def log(self, message: str, kind: Any = None) -> None:
        self.logged.append(message)


def test_a_failing_feature_is_logged_and_answered_empty(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    def broken_feature(ls: Any, params: Any) -> list[str]:
        raise ZeroDivisionError("boom")

    fake = _FakeServer()
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LUMEN_DEBUG", raising=False)
    assert _guarded(list)(broken_feature)(fake, None) == []
    [message] = fake.logged
    assert "broken_feature failed: ZeroDivisionError: boom; please report it" in message
    assert "Traceback" not in message
    [crash] = list(tmp_path.glob("crash-*.txt"))
    assert str(crash) in message and "ZeroDivisionError" in crash.read_text()


def test_no_traceback_reaches_stderr() -> None:
    """Editors show the server's stderr: broken messages are logged to the client only."""
    messages = [b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}', b"{not json",
                b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":1}}']
    stream = b"".join(b"Content-Length: %d\r\n\r\n" % len(m) + m for m in messages)
    run = subprocess.run([sys.executable, "-m", "lumen", "lsp"], input=stream,
                         capture_output=True, timeout=30)
    assert run.returncode == 0
    assert b"Traceback" not in run.stderr, run.stderr.decode(errors="replace")
    assert b"malformed initialize request" in run.stdout
