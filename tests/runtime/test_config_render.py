"""Config errors as the user sees them: `lumen run` shows the lumen.toml line with a caret
run under the key, like any diagnostic, except a line that holds a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.cli.main import run_cli

PROGRAM = "use tool crypto.sha256 as Sha\ngrant Sha\ncell main()\n  print(Sha(text: \"a\"))\nend\n"


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "p.lm").write_text(PROGRAM)
    return tmp_path


def _run(workdir: Path, toml: str, capsys: pytest.CaptureFixture[str]) -> str:
    (workdir / "lumen.toml").write_text(toml)
    assert run_cli(["run", "p.lm"]) == 1
    return capsys.readouterr().err


def test_unknown_key_shows_the_line_and_a_caret_under_the_key(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(workdir, '[providers]\n"crypto.sha256" = "crypto"\n\n[cache]\n  enabeld = true\n',
               capsys)
    assert err.splitlines()[:3] == [
        f"{workdir / 'lumen.toml'}:5:3: error[E0902]: unknown key 'enabeld' in [cache]",
        "   5 |   enabeld = true",
        "     |   ^^^^^^^"]


def test_a_table_header_and_an_invalid_value(workdir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(workdir, "[budgets]\nmax_tokens = 3\n", capsys)
    assert "   1 | [budgets]\n     |  ^^^^^^^\n" in err
    err = _run(workdir, '[budget]\n"max_tokens"  = "lots"\n', capsys)
    assert "   2 | \"max_tokens\"  = \"lots\"\n     | ^^^^^^^^^^^^\n" in err


def test_a_line_holding_a_secret_is_never_shown(workdir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(workdir, '[providers.config.p]\napi_key = "sk-do-not-print-4f1e"\n', capsys)
    assert "sk-do-not-print" not in err
    assert "secret 'api_key' must not be written in lumen.toml (line 2, column 1)" in err
