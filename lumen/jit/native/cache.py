"""On-disk cache of compiled units as shared objects, so later runs skip llvmlite.

A unit's object code is linked with the system C compiler (`cc -shared`) into
`<cache>/native/<key>.so` next to `<key>.sha256` (the digest of the library). A later run
loads it with `ctypes.CDLL` after checking the digest; any problem (missing compiler,
corrupt or foreign file, failed load) means "not cached" and the unit is compiled again.
`LUMEN_NATIVE_CACHE=0` (or `LUMEN_NO_CACHE=1`) turns the cache off; beyond
`MAX_LIBRARIES` the least recently used libraries are removed.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from lumen.cache import digest_of

MAX_LIBRARIES = 400  # beyond this, the least recently used go (down to 80%)


def folder() -> Path | None:
    """`<cache>/native`, or None when caching is off (`LUMEN_NATIVE_CACHE=0` or the
    compiled-program caches are, `LUMEN_NO_CACHE=1`)."""
    from lumen import cache

    if os.environ.get("LUMEN_NATIVE_CACHE", "1") == "0" or cache.disabled():
        return None
    return cache.folder("native")


def can_store() -> bool:
    """Whether `store` can keep a library: caching on and a C compiler to link with."""
    import shutil

    return folder() is not None and shutil.which("cc") is not None


def prune(where: Path, limit: int = MAX_LIBRARIES) -> None:
    """Remove the least recently used libraries (and their digests) beyond `limit`."""
    try:
        libraries = [(entry.stat().st_mtime, Path(entry.path)) for entry in os.scandir(where)
                     if entry.name.endswith(".so")]
    except OSError:
        return
    if len(libraries) <= limit:
        return
    libraries.sort()
    for _mtime, library in libraries[:len(libraries) - limit * 4 // 5]:
        library.unlink(missing_ok=True)
        library.with_suffix(".sha256").unlink(missing_ok=True)


def load(key: str, tag: str) -> ctypes.CDLL | None:
    where = folder()
    if where is None:
        return None
    library = where / f"{key}.so"
    digest = where / f"{key}.sha256"
    try:
        data = library.read_bytes()
        if digest_of(data) != digest.read_text().strip():
            raise OSError("digest mismatch")
        loaded = ctypes.CDLL(str(library))
        getattr(loaded, f"entry_{tag}")
        os.utime(library)  # recently used: pruning keeps it
        return loaded
    except FileNotFoundError:
        return None
    except (OSError, AttributeError, ValueError):
        for path in (library, digest):
            path.unlink(missing_ok=True)
        return None


def find(key: str) -> Path | None:
    """The stored library for `key`, if there is one (not checked, not loaded)."""
    where = folder()
    if where is None:
        return None
    library = where / f"{key}.so"
    return library if library.exists() else None


def store(key: str, tag: str, object_code: bytes) -> bool:
    """Link and store `object_code`: True when stored; False (and nothing else) when that
    is not possible."""
    import shutil  # storing only: a run that loads cached code never imports these
    import subprocess
    import tempfile

    where = folder()
    compiler = shutil.which("cc")
    if where is None or compiler is None:
        return False
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=where) as scratch:
            obj = Path(scratch) / f"{tag}.o"
            lib = Path(scratch) / f"{tag}.so"
            obj.write_bytes(object_code)
            done = subprocess.run([compiler, "-shared", "-o", str(lib), str(obj), "-lm"],
                                  capture_output=True, timeout=60, check=False)
            if done.returncode != 0:
                return False
            digest = digest_of(lib.read_bytes())
            os.replace(lib, where / f"{key}.so")
            (Path(scratch) / "digest").write_text(digest)
            os.replace(Path(scratch) / "digest", where / f"{key}.sha256")
        prune(where)
    except (OSError, subprocess.SubprocessError):
        return False
    return True
