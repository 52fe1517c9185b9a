"""The user cache folder and a content-addressed store of bytes (best effort).

Stage: right after `diagnostics`, so that every later stage may cache what it computes.

    cache_dir() -> Path                 $LUMEN_CACHE_DIR, else $XDG_CACHE_HOME/lumen,
                                        else ~/.cache/lumen
    get(kind, key) -> bytes | None      None: missing, unreadable or damaged (CRC check)
    put(kind, key, data, keep=...)      atomic (temp file + os.replace); False when it
                                        could not write; never raises for disk problems
    key_of(*parts) -> str               hex SHA-256 content address of str/bytes parts
    folder(kind) -> Path                <cache_dir>/<kind>, for consumers needing real files
    disabled() -> bool                  LUMEN_NO_CACHE=1: compiled-program caches are off
    clear() -> (files, bytes)           `lumen cache clear` (crash reports are kept)
    info() -> CacheInfo                 `lumen cache info`: per-kind (files, bytes)

A kind is one sub-folder (`lir`, `check`, `parser`, `native`, `tool-results`, ...); the
key must already say everything the payload depends on (toolchain and format versions
included), because nothing else is checked. A consumer must treat a payload it cannot
decode as a miss and overwrite it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lumen.cache.store import (
        DEFAULT_KEEP,
        CacheInfo,
        cache_dir,
        clear,
        digest_of,
        disabled,
        folder,
        get,
        info,
        key_of,
        put,
    )

__all__ = [
    "DEFAULT_KEEP",
    "CacheInfo",
    "cache_dir",
    "clear",
    "digest_of",
    "disabled",
    "folder",
    "get",
    "info",
    "key_of",
    "put",
]


def __getattr__(name: str) -> object:
    # The store (pathlib, struct, zlib) loads on first use: `lumen.cache.location` is
    # imported by the fast path of `lumen run`, which must not pay for it.
    if name in __all__:
        from lumen.cache import store

        value = getattr(store, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
