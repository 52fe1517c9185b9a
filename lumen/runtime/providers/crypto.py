"""Built-in `crypto.*` tools: sha256, sha512, md5 (hex digests of the UTF-8 text),
base64_encode / base64_decode, uuid (version 4), random_int (inclusive bounds, from the OS
generator) and hmac_sha256 (hex)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
import uuid
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import argument, invalid_args, result, string_argument

NAME = "crypto"
_DIGESTS = {"sha256": hashlib.sha256, "sha512": hashlib.sha512, "md5": hashlib.md5}


def _text(call: ToolCall) -> str:
    value = string_argument(call, "text", 0)
    assert value is not None
    return value


def _bound(call: ToolCall, name: str, position: int) -> int:
    value = argument(call, name, position)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_args("crypto.random_int needs Int arguments 'min' and 'max'")
    return value


class CryptoProvider:
    name = NAME

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        operation = call.tool_id.removeprefix("crypto.")
        value: Any
        if operation in _DIGESTS:
            value = _DIGESTS[operation](_text(call).encode("utf-8")).hexdigest()
        elif operation == "base64_encode":
            value = base64.b64encode(_text(call).encode("utf-8")).decode("ascii")
        elif operation == "base64_decode":
            try:
                raw = base64.b64decode(_text(call), validate=True)
            except (binascii.Error, ValueError):
                raise invalid_args("crypto.base64_decode: not valid base64") from None
            value = raw.decode("utf-8", errors="replace")
        elif operation == "uuid":
            value = str(uuid.uuid4())
        elif operation == "random_int":
            low, high = _bound(call, "min", 0), _bound(call, "max", 1)
            if low > high:
                raise invalid_args(f"crypto.random_int: min {low} is greater than max {high}")
            value = low + secrets.randbelow(high - low + 1)
        elif operation == "hmac_sha256":
            key = string_argument(call, "key", 0)
            message = string_argument(call, "message", 1)
            assert key is not None and message is not None
            value = hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
        else:
            raise ToolError("NotFound", f"tool not found: {call.tool_id}")
        return result(call, self.name, value, started)
