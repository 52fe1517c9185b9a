"""The user cache folder and a small content-addressed store in it (best effort).

Layout: `<cache_dir()>/<kind>/<key>`, one file per entry. An entry file is a 12-byte
header (magic, payload length, CRC-32 of the payload) followed by the payload, so a
truncated or damaged file reads as a miss instead of handing garbage to its consumer.
Writes go to a temporary file in the same folder and are renamed into place, so readers
(other `lumen` processes included) see a whole entry or none. Every failure to read or
write (read-only folder, full disk, permissions) is a miss or a no-op: a cache only ever
costs time, never a result.

Imported on the start-up path of every run: standard library only, and no `hashlib`
(importing OpenSSL costs milliseconds).
"""

from __future__ import annotations

import os
import struct
import zlib

from lumen.cache.location import digest_of, disabled, key_of, preferred_folder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import NamedTuple
else:
    from lumen.plain_tuples import NamedTuple

__all__ = ["DEFAULT_KEEP", "CacheInfo", "cache_dir", "clear", "digest_of", "disabled",
           "folder", "get", "info", "key_of", "put"]

DEFAULT_KEEP = 5000  # entries per kind; beyond, the least recently used go (down to 80%)
_MAGIC = b"LMC1"
_HEADER = struct.Struct("<4sII")  # magic, payload length, CRC-32 of the payload
# kinds and keys: letters, digits, `_.-`, not starting with `.` (no path tricks, no
# clash with temporaries); checked without `re`, which start-up may not otherwise need
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_NAME_MAX = 128
_STALE_TEMPORARY_SECONDS = 3600  # a writer that died mid-write leaves one of these behind

_root_memo: tuple[tuple[str | None, ...], str] | None = None


def cache_dir() -> Path:
    """The user cache folder: `$LUMEN_CACHE_DIR` when set, else `$XDG_CACHE_HOME/lumen`,
    else `~/.cache/lumen`. When the default folder cannot be created or written (a
    read-only home), a per-user folder under the system temp folder is used instead; an
    explicit `$LUMEN_CACHE_DIR` is always used as given (read-only means no caching)."""
    from pathlib import Path

    return Path(_root())


def _root() -> str:
    """`cache_dir()` as a string: the store's own reads and writes need no `pathlib`."""
    global _root_memo
    environ = os.environ
    inputs = (environ.get("LUMEN_CACHE_DIR"), environ.get("XDG_CACHE_HOME"), environ.get("HOME"))
    if _root_memo is not None and _root_memo[0] == inputs:
        return _root_memo[1]
    root = preferred_folder()
    if not inputs[0] and not _writable_folder(root):
        import tempfile  # only for this fallback: it imports `random` and `shutil`

        uid = os.getuid() if hasattr(os, "getuid") else 0
        root = os.path.join(tempfile.gettempdir(), f"lumen-cache-{uid}")
    _root_memo = (inputs, root)
    return root


def folder(kind: str) -> Path:
    """`<cache_dir()>/<kind>`, for a consumer that needs real files (a shared library
    must be loaded from a path). Not created here; `clear()` and `info()` cover it."""
    return cache_dir() / _checked(kind)


def get(kind: str, key: str) -> bytes | None:
    """The payload stored under (`kind`, `key`), or None: missing, unreadable or damaged."""
    path = os.path.join(_root(), _checked(kind), _checked(key))
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    payload = _unwrap(blob)
    if payload is None:
        return None
    try:  # recently used entries survive pruning (mtime is the LRU clock)
        os.utime(path)
    except OSError:
        pass
    return payload


def put(kind: str, key: str, data: bytes, *, keep: int = DEFAULT_KEEP) -> bool:
    """Store `data` under (`kind`, `key`), replacing any previous entry atomically, and
    prune the kind to its `keep` most recently used entries. Returns whether it was
    written; never raises for a read-only folder, a full disk or missing permissions."""
    directory = os.path.join(_root(), _checked(kind))
    target = os.path.join(directory, _checked(key))
    temporary = os.path.join(directory, f".{key}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        os.makedirs(directory, exist_ok=True)
        with open(temporary, "xb") as handle:
            handle.write(_HEADER.pack(_MAGIC, len(data), zlib.crc32(data)))
            handle.write(data)
        os.replace(temporary, target)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    _prune(directory, keep)
    return True


# A NamedTuple, not a dataclass: this module is imported by every run, and a NamedTuple
# class costs a seventh of a dataclass to create.
class CacheInfo(NamedTuple):
    """What `lumen cache info` shows: the folder and, per kind, (files, bytes)."""

    root: Path
    kinds: dict[str, tuple[int, int]]
    crash_reports: int = 0

    @property
    def files(self) -> int:
        return sum(files for files, _ in self.kinds.values())

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.kinds.values())


def info() -> CacheInfo:
    """Count the entries of every kind (any sub-folder of the cache folder)."""
    root = cache_dir()
    kinds: dict[str, tuple[int, int]] = {}
    crash_reports = 0
    try:
        children = list(os.scandir(root))
    except OSError:
        return CacheInfo(root, {})
    for child in children:
        if child.is_dir(follow_symlinks=False):
            kinds[child.name] = _measure(child.path)
        elif child.name.startswith("crash-"):
            crash_reports += 1
    return CacheInfo(root, dict(sorted(kinds.items())), crash_reports)


def clear() -> tuple[int, int]:
    """Remove every cached entry (all kinds, and parser tables of older releases);
    crash reports are kept. Returns (files, bytes) removed."""
    root = cache_dir()
    files = size = 0
    try:
        children = list(os.scandir(root))
    except OSError:
        return 0, 0
    for child in children:
        if child.is_dir(follow_symlinks=False):
            removed, freed = _remove_tree(child.path)
        elif child.name.startswith("parser-") and child.name.endswith(".pickle"):
            removed, freed = _remove_file(child.path)  # the pre-store layout
        else:
            continue
        files += removed
        size += freed
    return files, size


# ------------------------------------------------------------------------------ helpers


def _checked(name: str) -> str:
    if not (0 < len(name) <= _NAME_MAX and name[0] != "." and _NAME_CHARS.issuperset(name)):
        raise ValueError(f"not a cache kind or key: {name!r}")
    return name


def _writable_folder(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def _unwrap(blob: bytes) -> bytes | None:
    if len(blob) < _HEADER.size:
        return None
    magic, length, crc = _HEADER.unpack_from(blob)
    payload = blob[_HEADER.size:]
    if magic != _MAGIC or length != len(payload) or zlib.crc32(payload) != crc:
        return None
    return payload


def _prune(directory: str, keep: int) -> None:
    """Drop the least recently used entries beyond `keep`, and temporaries that a dead
    writer left behind. Cheap when under the limit: one directory listing."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    if len(entries) <= keep:
        return
    dated: list[tuple[float, str]] = []
    for entry in entries:
        try:
            dated.append((entry.stat(follow_symlinks=False).st_mtime, entry.path))
        except OSError:
            continue
    dated.sort()
    newest = dated[-1][0] if dated else 0.0
    # Down to 80% of the limit: the next writes then do not each pay a full scan.
    excess = len(dated) - keep * 4 // 5
    for mtime, path in dated:
        is_temporary = path.endswith(".tmp")
        if excess > 0 or (is_temporary and newest - mtime > _STALE_TEMPORARY_SECONDS):
            _remove_file(path)
            excess -= 1


def _measure(directory: str) -> tuple[int, int]:
    files = size = 0
    for dirpath, _, filenames in os.walk(directory):
        for name in filenames:
            try:
                size += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
            files += 1
    return files, size


def _remove_file(path: str | Path) -> tuple[int, int]:
    try:
        size = os.lstat(path).st_size
        os.unlink(path)
    except OSError:
        return 0, 0
    return 1, size


def _remove_tree(directory: str) -> tuple[int, int]:
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(directory, topdown=False):
        for name in filenames:
            removed, freed = _remove_file(os.path.join(dirpath, name))
            files += removed
            size += freed
        for name in dirnames:
            try:
                os.rmdir(os.path.join(dirpath, name))
            except OSError:
                pass
    try:
        os.rmdir(directory)
    except OSError:
        pass
    return files, size
