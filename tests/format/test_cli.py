"""`lumen fmt [--check] [--diff] PATHS...` through the CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.cli.main import run_cli

UGLY = "cell  f()->Int\n        return 1 # one\nend\n"
PRETTY = "cell f() -> Int\n  return 1  # one\nend\n"


def _tree(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "pkg" / ".hidden").mkdir(parents=True)
    files = {
        "ugly": tmp_path / "pkg" / "ugly.lm",
        "pretty": tmp_path / "pkg" / "pretty.lumen",
        "doc": tmp_path / "pkg" / "doc.lm.md",
        "hidden": tmp_path / "pkg" / ".hidden" / "skip.lm",
        "other": tmp_path / "pkg" / "notes.txt",
    }
    files["ugly"].write_text(UGLY)
    files["pretty"].write_text(PRETTY)
    files["doc"].write_text("Prose\n\n```lumen\nlet  x = 1\n```\n")
    files["hidden"].write_text(UGLY)
    files["other"].write_text(UGLY)
    return files


def test_check_lists_files_that_would_change_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _tree(tmp_path)
    assert run_cli(["fmt", "--check", str(tmp_path / "pkg")]) == 1
    out = capsys.readouterr().out
    assert f"would reformat {files['ugly']}" in out and f"would reformat {files['doc']}" in out
    assert "pretty" not in out and "skip.lm" not in out and "notes" not in out
    assert files["ugly"].read_text() == UGLY


def test_check_passes_on_formatted_files(tmp_path: Path) -> None:
    path = tmp_path / "ok.lm"
    path.write_text(PRETTY)
    assert run_cli(["fmt", "--check", str(path)]) == 0


def test_rewrite_in_place_reports_each_file_and_keeps_the_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _tree(tmp_path)
    files["ugly"].chmod(0o640)
    assert run_cli(["fmt", str(tmp_path / "pkg")]) == 0
    captured = capsys.readouterr()
    assert f"reformatted {files['ugly']}" in captured.out
    assert "2 files reformatted, 1 file unchanged" in captured.err
    assert files["ugly"].read_text() == PRETTY
    assert files["ugly"].stat().st_mode & 0o777 == 0o640
    assert files["doc"].read_text() == "Prose\n\n```lumen\nlet x = 1\n```\n"
    assert files["hidden"].read_text() == UGLY and files["other"].read_text() == UGLY
    assert [p.name for p in files["ugly"].parent.iterdir() if p.name.startswith(".ugly")] == []


def test_diff_prints_a_unified_diff_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "u.lm"
    path.write_text(UGLY)
    assert run_cli(["fmt", "--diff", str(path)]) == 0
    out = capsys.readouterr().out
    assert "-cell  f()->Int\n-        return 1 # one\n+cell f() -> Int\n" in out
    assert path.read_text() == UGLY


def test_a_syntax_error_is_reported_and_the_file_left_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.lm"
    bad.write_text("cell f(\n  return 1\n")
    good = tmp_path / "good.lm"
    good.write_text(UGLY)
    assert run_cli(["fmt", str(bad), str(good)]) == 1
    err = capsys.readouterr().err
    assert "bad.lm:1:" in err and "error[E" in err and "Traceback" not in err
    assert bad.read_text() == "cell f(\n  return 1\n"
    assert good.read_text() == PRETTY


def test_unreadable_input_and_missing_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "bin.lm"
    binary.write_bytes(b"\xff\xfe let")
    assert run_cli(["fmt", str(binary)]) == 1
    assert "not UTF-8" in capsys.readouterr().err
    assert run_cli(["fmt", str(tmp_path / "missing.lm")]) == 64


def test_a_dash_formats_standard_input_to_standard_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(UGLY))
    assert run_cli(["fmt", "-"]) == 0
    assert capsys.readouterr().out == PRETTY
    monkeypatch.setattr("sys.stdin", io.StringIO(UGLY))
    assert run_cli(["fmt", "--check", "-"]) == 1
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("let x = (\n"))
    assert run_cli(["fmt", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "let x = (\n" and "error[E" in captured.err


def test_a_symbolic_link_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.lm"
    target.write_text(UGLY)
    link = tmp_path / "link.lm"
    link.symlink_to(target)
    assert run_cli(["fmt", str(link)]) == 0
    assert link.is_symlink() and target.read_text() == PRETTY
