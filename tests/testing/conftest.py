"""Shared set-up for the `lumen test` tests: a project folder as the working directory and
the command run in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lumen.cli.main import run_cli

LumenTest = Callable[..., tuple[int, str, str]]


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user lumen.toml
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.fixture()
def lumen_test(capsys: pytest.CaptureFixture[str]) -> LumenTest:
    """`lumen_test(*args)` runs `lumen test ARGS` and returns (status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        status = run_cli(["test", *args])
        out, err = capsys.readouterr()
        return status, out, err

    return run
