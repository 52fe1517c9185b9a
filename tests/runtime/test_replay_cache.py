"""The opt-in tool-result cache: content addressed, marked cached, failures are misses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lumen.runtime.calls import ToolCall, ToolResult
from lumen.runtime.result_cache import ResultCache, cache_key, cache_wanted

CALL = ToolCall(alias="Sum", tool_id="llm.summarise", version=None, args={"text": "abc"},
                policy={"cache": True})


def test_opt_in_by_grant_or_settings() -> None:
    assert cache_wanted(CALL)
    plain = replace(CALL, policy={})
    assert not cache_wanted(plain)
    assert cache_wanted(plain, {"cache": True})
    assert not cache_wanted(plain, {"cache": "yes"})


def test_key_changes_with_inputs_tool_and_policy() -> None:
    keys = {cache_key(CALL), cache_key(replace(CALL, args={"text": "abd"})),
            cache_key(replace(CALL, tool_id="other")),
            cache_key(replace(CALL, policy={"cache": True, "model": "m"}))}
    assert len(keys) == 4
    assert cache_key(CALL) == cache_key(replace(CALL, line=99))  # where it is asked: same


def test_stored_result_comes_back_marked_cached(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    assert cache.lookup(CALL) is None
    cache.store(CALL, ToolResult(value={"summary": "a"}, provider="ollama", latency_ms=900,
                                 tokens_in=10, tokens_out=3))
    hit = ResultCache(tmp_path).lookup(CALL)
    assert hit is not None
    assert hit.value == {"summary": "a"} and hit.cached and hit.latency_ms == 0
    assert (hit.provider, hit.tokens_in, hit.tokens_out) == ("ollama", 10, 3)
    assert cache.lookup(replace(CALL, args={"text": "other"})) is None


def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    cache.store(CALL, ToolResult(value=1, provider="p"))
    (entry,) = (p for p in tmp_path.rglob("*.json"))
    entry.write_text('{"value": ')
    assert cache.lookup(CALL) is None


def test_unwritable_cache_is_silently_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ResultCache(blocker)
    cache.store(CALL, ToolResult(value=1, provider="p"))
    assert cache.lookup(CALL) is None


def test_shared_toolchain_cache_is_used_by_default(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path / "usercache"))
    ResultCache().store(CALL, ToolResult(value=[1, 2], provider="p"))
    assert list((tmp_path / "usercache" / "tool-results").iterdir())
    hit = ResultCache().lookup(CALL)
    assert hit is not None and hit.value == [1, 2] and hit.cached
