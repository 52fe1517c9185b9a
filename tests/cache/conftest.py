"""Every test here gets its own cache folder through `$LUMEN_CACHE_DIR`."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("LUMEN_CACHE_DIR", str(root))
    monkeypatch.delenv("LUMEN_NO_CACHE", raising=False)
    return root
