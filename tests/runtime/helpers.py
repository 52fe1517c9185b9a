"""Small builders shared by the provider, retry and typed-output tests."""

from __future__ import annotations

import socket
from typing import Any

from lumen.runtime.calls import ToolCall


def tool_call(tool_id: str, args: dict[str, Any] | None = None,
              policy: dict[str, Any] | None = None, alias: str = "Tool") -> ToolCall:
    return ToolCall(alias=alias, tool_id=tool_id, version=None, args=dict(args or {}),
                    policy=dict(policy or {}), file="test.lm", line=1, column=1)


def closed_port_url() -> str:
    """A loopback URL nobody listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
