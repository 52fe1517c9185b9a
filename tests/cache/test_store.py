"""lumen.cache: the folder rules and the content-addressed store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lumen import cache


def test_folder_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("LUMEN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "lumen"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "lumen"


def test_put_then_get_round_trips(cache_root: Path) -> None:
    assert cache.get("lir", "abc") is None
    assert cache.put("lir", "abc", b"payload")
    assert cache.get("lir", "abc") == b"payload"
    assert cache.put("lir", "abc", b"newer")  # replaced in place
    assert cache.get("lir", "abc") == b"newer"
    assert [p.name for p in (cache_root / "lir").iterdir()] == ["abc"]


def test_damaged_entry_is_a_miss(cache_root: Path) -> None:
    cache.put("lir", "k", b"0123456789")
    entry = cache_root / "lir" / "k"
    blob = entry.read_bytes()
    entry.write_bytes(blob[:-1] + b"X")
    assert cache.get("lir", "k") is None
    entry.write_bytes(blob[:-3])  # truncated
    assert cache.get("lir", "k") is None
    entry.write_bytes(b"")
    assert cache.get("lir", "k") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_never_raises(cache_root: Path) -> None:
    cache_root.mkdir()
    cache_root.chmod(0o500)
    try:
        assert cache.put("lir", "k", b"data") is False
        assert cache.get("lir", "k") is None
    finally:
        cache_root.chmod(0o700)


def test_unwritable_location_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(blocker / "cache"))  # works even as root
    assert cache.put("lir", "k", b"data") is False
    assert cache.get("lir", "k") is None
    assert cache.clear() == (0, 0)
    assert cache.info().files == 0


def test_bad_names_are_rejected(cache_root: Path) -> None:
    for name in ("", "../x", "a/b", ".hidden"):
        with pytest.raises(ValueError):
            cache.put(name, "k", b"")
        with pytest.raises(ValueError):
            cache.get("lir", name)


def test_keep_prunes_least_recently_used(cache_root: Path) -> None:
    for index in range(5):
        cache.put("parser", f"k{index}", b"x")
        os.utime(cache_root / "parser" / f"k{index}", (1000 + index, 1000 + index))
    cache.get("parser", "k0")  # used now: the newest
    cache.put("parser", "k5", b"x", keep=5)  # 6 > 5: down to 80% of 5, the newest four
    assert sorted(p.name for p in (cache_root / "parser").iterdir()) == ["k0", "k3", "k4", "k5"]


def test_info_and_clear(cache_root: Path) -> None:
    cache.put("lir", "a", b"12345")
    cache.put("tool-results", "b", b"1")
    (cache_root / "native").mkdir()
    (cache_root / "native" / "x.so").write_bytes(b"\0" * 10)
    (cache_root / "crash-1.txt").write_text("kept")
    (cache_root / "parser-old.pickle").write_bytes(b"legacy")
    found = cache.info()
    assert found.root == cache_root
    assert set(found.kinds) == {"lir", "native", "tool-results"}
    assert found.kinds["native"] == (1, 10)
    assert found.crash_reports == 1
    files, size = cache.clear()
    assert files == 4
    assert size == found.bytes + len(b"legacy")
    assert sorted(p.name for p in cache_root.iterdir()) == ["crash-1.txt"]
    assert cache.info().files == 0


def test_key_of_separates_parts() -> None:
    assert cache.key_of("ab", "c") != cache.key_of("a", "bc")
    assert cache.key_of("x", b"y") == cache.key_of(b"x", "y")
    assert len(cache.key_of("x")) == 64


def test_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMEN_NO_CACHE", "1")
    assert cache.disabled()
    monkeypatch.setenv("LUMEN_NO_CACHE", "0")
    assert not cache.disabled()
