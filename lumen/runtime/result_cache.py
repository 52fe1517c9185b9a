"""Content-addressed tool-result cache (§16.11), opt-in per tool.

A call is cached only when asked for: the grant key `cache true` on its alias (it arrives
in `call.policy`), or `cache = true` in the tool's provider settings. The key is the
SHA-256 of the canonical JSON of tool id, version, inputs and policy, so any change to what
is asked gives a new entry. Only successful results are stored; a served entry comes back
with `cached=True`, which the trace records. Storage is `lumen.cache` when this build has
it, else files under `.lumen/cache/tool-results/`. The cache is an optimisation: an
unreadable or unwritable entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lumen.runtime.trace import canonical_json

CACHE_KIND = "tool-results"
DEFAULT_CACHE_DIR = ".lumen/cache"


def cache_wanted(call: Any, settings: Mapping[str, Any] | None = None) -> bool:
    """Whether this call opted in: grant `cache true`, or `cache = true` in its settings."""
    if isinstance(call.policy, Mapping) and call.policy.get("cache") is True:
        return True
    return bool(settings) and settings.get("cache") is True  # type: ignore[union-attr]


def cache_key(call: Any) -> str:
    """The content address of a call: what is asked, of which tool, under which policy."""
    asked = {"tool_id": call.tool_id, "version": call.version, "inputs": call.args,
             "policy": call.policy}
    return hashlib.sha256(canonical_json(asked).encode("utf-8")).hexdigest()


class ResultCache:
    """Stored tool results by content address."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self._store = _shared_store() if root is None else None
        self.root = Path(root if root is not None else DEFAULT_CACHE_DIR)

    def lookup(self, call: Any) -> Any:
        """The cached ToolResult for `call` (marked cached), or None."""
        from lumen.runtime.calls import ToolResult

        data = self._get(cache_key(call))
        if data is None:
            return None
        try:
            entry = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("tool_id") != call.tool_id or "value" not in entry:
            return None
        return ToolResult(value=entry["value"], provider=str(entry.get("provider") or "cache"),
                          latency_ms=0, tokens_in=entry.get("tokens_in"),
                          tokens_out=entry.get("tokens_out"), attempts=[], cached=True)

    def store(self, call: Any, result: Any) -> None:
        """Remember a successful result (a result that was itself served from here is not
        stored again)."""
        if getattr(result, "cached", False):
            return
        entry = {"tool_id": call.tool_id, "version": call.version, "value": result.value,
                 "provider": result.provider, "tokens_in": result.tokens_in,
                 "tokens_out": result.tokens_out}
        try:
            data = canonical_json(entry).encode("utf-8")
        except ValueError:  # e.g. NaN in a value: such a result is simply not cached
            return
        self._put(cache_key(call), data)

    # -------------------------------------------------------------- storage

    def _get(self, key: str) -> bytes | None:
        if self._store is not None:
            try:
                return self._store.get(CACHE_KIND, key)
            except Exception:  # a broken shared cache must not fail the run
                return None
        try:
            return self._entry_path(key).read_bytes()
        except OSError:
            return None

    def _put(self, key: str, data: bytes) -> None:
        if self._store is not None:
            try:
                self._store.put(CACHE_KIND, key, data)
            except Exception:
                pass
            return
        path = self._entry_path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a concurrent reader sees the whole entry or none.
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)

    def _entry_path(self, key: str) -> Path:
        return self.root / CACHE_KIND / key[:2] / f"{key}.json"


def _shared_store() -> Any:
    """`lumen.cache` (the toolchain-wide cache) when this build has it."""
    try:
        import lumen.cache as shared
    except ImportError:
        return None
    return shared if hasattr(shared, "get") and hasattr(shared, "put") else None
