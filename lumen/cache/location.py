"""Where the cache lives and what the toolchain it serves looks like: standard library
only (`os` and the C SHA-256), for the fast path of `lumen run` (lumen/cli/fast_run.py),
which must start without `pathlib` or `typing`. `store.py` builds on these."""

from __future__ import annotations

import os

try:  # the C module itself: `hashlib` imports OpenSSL, a few ms at every start
    from _sha256 import sha256
except ImportError:  # pragma: no cover - Python 3.12+ names it _sha2
    try:
        from _sha2 import sha256  # type: ignore[import-not-found, no-redef]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # lumen/
_fingerprint: str | None = None


def preferred_folder() -> str:
    """`$LUMEN_CACHE_DIR` when set, else `$XDG_CACHE_HOME/lumen`, else `~/.cache/lumen`
    (`store.cache_dir` falls back to a temporary folder when this one is not writable)."""
    configured = os.environ.get("LUMEN_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lumen")


def disabled() -> bool:
    """`LUMEN_NO_CACHE=1`: the caches of compiled programs are off (the compile cache,
    native code). The parser's tables are part of the toolchain and stay cached."""
    return os.environ.get("LUMEN_NO_CACHE", "") not in ("", "0")


def digest_of(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return sha256(data).hexdigest()


def key_of(*parts: str | bytes) -> str:
    """A content address (hex SHA-256) of `parts`; each part is length-prefixed, so
    `("ab", "c")` and `("a", "bc")` differ."""
    digest = sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(b"%d:" % len(data))
        digest.update(data)
    return digest.hexdigest()


def toolchain_fingerprint() -> str:
    """A digest of the names, sizes and modification times of the toolchain's own files:
    editing the compiler (a development checkout) invalidates every cached result. About a
    millisecond; computed once per process."""
    global _fingerprint
    if _fingerprint is None:
        found: list[str] = []
        _stat_sources(_PACKAGE, found)
        found.sort()
        _fingerprint = key_of(*found)
    return _fingerprint


def _stat_sources(directory: str, found: list[str]) -> None:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _stat_sources(entry.path, found)
        elif entry.name.endswith((".py", ".lark")):
            try:
                stat = entry.stat()
            except OSError:
                continue
            found.append(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}")
