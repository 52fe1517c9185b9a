"""One real language server per test module (starting one takes a fraction of a second)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp.client import LspClient


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp")


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[LspClient]:
    client = LspClient(workspace)
    client.initialize()
    yield client
    client.shutdown()
