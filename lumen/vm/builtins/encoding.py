"""Encoding, hashing and bytes builtins (§10.12)."""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse

from lumen.vm.builtins.common import text
from lumen.vm.builtins.registry import builtin
from lumen.vm.builtins.strings import slice_bounds
from lumen.vm.render import plain

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _hashlib() -> Any:
    import hashlib  # imported on use: start-up time

    return hashlib

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


def _utf8(v: Any) -> bytes:
    """The bytes a text-encoding builtin works on: a Bytes value, or UTF-8 of the text."""
    return v if type(v) is bytes else text(v).encode("utf-8")


@builtin("base64_encode")
def base64_encode(s: Any = None) -> str:
    return base64.b64encode(_utf8(s)).decode("ascii")


@builtin("base64_decode")
def base64_decode(s: Any = None) -> str | None:
    try:
        decoded = base64.b64decode(text(s), validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded.decode("utf-8", errors="replace")


@builtin("hex_encode")
def hex_encode(s: Any = None) -> str:
    return _utf8(s).hex()


@builtin("hex_decode")
def hex_decode(s: Any = None) -> str | None:
    source = text(s)
    if not _HEX.fullmatch(source):
        return None
    return bytes.fromhex(source).decode("utf-8", errors="replace")


@builtin("url_encode")
def url_encode(s: Any = None) -> str:
    return urllib.parse.quote(_utf8(s), safe="-_.~")


@builtin("url_decode")
def url_decode(s: Any = None) -> str:
    return urllib.parse.unquote_plus(text(s))


@builtin("hash", "sha256")
def sha256(x: Any = None) -> str:
    return "sha256:" + _hashlib().sha256(plain(x).encode("utf-8")).hexdigest()


@builtin("sha512")
def sha512(x: Any = None) -> str:
    return "sha512:" + _hashlib().sha512(plain(x).encode("utf-8")).hexdigest()


@builtin("bytes_from_ascii")
def bytes_from_ascii(s: Any = None) -> bytes:
    return _utf8(s)


@builtin("bytes_to_ascii")
def bytes_to_ascii(b: Any = None) -> str | None:
    if type(b) is not bytes:
        return None
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return None


@builtin("bytes_len")
def bytes_len(b: Any = None) -> int | None:
    return len(b) if type(b) is bytes else None


@builtin("bytes_slice")
def bytes_slice(b: Any = None, start: Any = None, end: Any = None) -> bytes | None:
    if type(b) is not bytes:
        return None
    bounds = slice_bounds(len(b), start, end)
    return None if bounds is None else b[bounds[0] : bounds[1]]


@builtin("bytes_concat")
def bytes_concat(a: Any = None, b: Any = None) -> bytes | None:
    if type(a) is not bytes or type(b) is not bytes:
        return None
    return a + b
