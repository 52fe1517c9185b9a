"""One real language server per test module. A server takes about half a second to start
(pygls and lsprotocol imports), so the next module's server is started while the current
module's tests run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp.client import LspClient


class _ServerPool:
    def __init__(self) -> None:
        self._spare: LspClient | None = None

    def take(self) -> LspClient:
        client = self._spare if self._spare is not None else LspClient()
        self._spare = LspClient()
        return client

    def close(self) -> None:
        if self._spare is not None:
            self._spare.shutdown()
            self._spare = None


@pytest.fixture(scope="session")
def server_pool() -> Iterator[_ServerPool]:
    pool = _ServerPool()
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp")


@pytest.fixture(scope="module")
def server(server_pool: _ServerPool, workspace: Path) -> Iterator[LspClient]:
    client = server_pool.take()
    client.initialize(workspace)
    yield client
    client.shutdown()
