"""The examples in examples/ end to end (issue 6, acceptance 2 and 4): each runs against the
fake model server (started here, on a free port) with its own lumen.toml pointed at it, is
recorded with --trace-dir, replays offline with byte-identical stdout, a one-byte edit of
its trace is caught by `lumen trace show --verify`, a changed prompt is a replay divergence,
and the API key never appears in a trace or an output."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.runtime.trace import trace_files
from tests.runtime.servers import FakeModelServer, Reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEY_VARIABLE = "LUMEN_EXAMPLE_API_KEY"
FAKE_KEY = "sk-lumen-example-7c1e9b42d0a8"  # recognisable, so a leak is easy to grep for
INVOICE_JSON = (
    'Here is the invoice:\n```json\n{"vendor": "Northwind Traders", "number": "INV-2041", '
    '"currency": "EUR", "items": [{"description": "box of paper", "quantity": 3, '
    '"unit_price_cents": 1250}, {"description": "toner cartridge", "quantity": "1", '
    '"unit_price_cents": 8900}], "due_date": "2026-12-31",}\n```'
)


@dataclass(frozen=True)
class Example:
    folder: str
    program: str
    prepare: Callable[[FakeModelServer], None]  # canned answers (and routes) on the server
    args: Callable[[FakeModelServer], list[str]]  # program arguments
    stdout: str
    prompt_edit: tuple[str, str]  # a change of the text the program sends to the model

    def __str__(self) -> str:
        return self.folder


def _assistant(server: FakeModelServer) -> None:
    server.when("capital of France", "Paris is the capital of France.")
    server.when("live there", "About 2.1 million people live in Paris.")


def _extraction(server: FakeModelServer) -> None:
    server.when("Extract the invoice", INVOICE_JSON)


def _pipeline(server: FakeModelServer) -> None:
    article = (EXAMPLES / "http_pipeline" / "article.txt").read_text()
    server.route("GET", "/article.txt", Reply(200, article))
    server.when("Lumen 0.1 released", "Lumen 0.1 records every tool call and replays it.")


CASES = [
    Example("assistant", "assistant.lm.md", _assistant, lambda server: [],
            "you: What is the capital of France?\n"
            "assistant: Paris is the capital of France.\n"
            "you: And how many people live there?\n"
            "assistant: About 2.1 million people live in Paris.\n"
            "5\n",
            ("And how many people live there?", "And how many people live in Paris?")),
    Example("extraction", "extraction.lm.md", _extraction, lambda server: [],
            "Northwind Traders, invoice INV-2041\n"
            "  3 x box of paper: 37.50 EUR\n"
            "  1 x toner cartridge: 89.00 EUR\n"
            "total: 126.50 EUR\n"
            "due: 2026-12-31\n"
            "2\n",
            ("Extract the invoice from this e-mail", "Extract the invoice from the e-mail")),
    Example("http_pipeline", "pipeline.lm.md", _pipeline,
            lambda server: [f"{server.url}/article.txt"],
            "fetched 7 lines: Lumen 0.1 released\n"
            "summary: Lumen 0.1 records every tool call and replays it.\n"
            "0\n",
            ("Summarise this document in one sentence.", "Summarise this page in one sentence.")),
]


def _lumen(capsys: pytest.CaptureFixture[str], outputs: list[str],
           *args: str) -> tuple[int, str, str]:
    status = run_cli(list(args))
    out, err = capsys.readouterr()
    outputs += [out, err]
    return status, out, err


def _copy_with_config(example: Example, server: FakeModelServer, into: Path) -> Path:
    """The example folder copied to `into`, its lumen.toml pointed at `server` with a key."""
    folder = into / example.folder
    shutil.copytree(EXAMPLES / example.folder, folder)
    toml = (folder / "lumen.toml").read_text()
    assert "http://127.0.0.1:8765" in toml and '# api_key_env = "OPENAI_API_KEY"' in toml
    toml = toml.replace("http://127.0.0.1:8765", server.url)
    toml = toml.replace('# api_key_env = "OPENAI_API_KEY"', f'api_key_env = "{KEY_VARIABLE}"')
    (folder / "lumen.toml").write_text(toml)
    return folder


def _edit_one_byte(path: Path) -> None:
    """Change one letter inside the first recorded tool output (the JSON stays valid)."""
    data = bytearray(path.read_bytes())
    start = data.index(b'"output":') + len(b'"output":')
    offset = start + re.search(rb"[A-Za-z]", bytes(data[start:])).start()  # type: ignore[union-attr]
    data[offset] = ord("x") if data[offset] != ord("x") else ord("y")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("example", CASES, ids=str)
def test_example_records_replays_and_detects_tampering(
        example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    outputs: list[str] = []
    monkeypatch.setenv("HOME", str(tmp_path))  # no user lumen.toml
    monkeypatch.setenv(KEY_VARIABLE, FAKE_KEY)
    with FakeModelServer(api_key=FAKE_KEY) as server:
        example.prepare(server)
        folder = _copy_with_config(example, server, tmp_path)
        monkeypatch.chdir(folder)
        args = example.args(server)
        status, recorded, err = _lumen(capsys, outputs, "run", example.program,
                                       "--trace-dir", "traces", *args)
        assert (status, recorded) == (0, example.stdout), err
        chat = server.chat_requests()
        assert chat and all(r.headers.get("authorization") == f"Bearer {FAKE_KEY}"
                            for r in chat)
    # Offline: the server is gone and the key unset; the recording answers every call.
    monkeypatch.delenv(KEY_VARIABLE)
    (trace,) = trace_files("traces")
    run_id = trace.stem
    status, replayed, err = _lumen(capsys, outputs, "run", example.program, "--replay",
                                   run_id, "--trace-dir", "traces", *args)
    assert (status, replayed) == (0, recorded), err

    status, out, err = _lumen(capsys, outputs, "trace", "show", run_id, "--trace-dir",
                              "traces", "--verify")
    assert status == 0 and "chain verified" in out + err

    program = folder / example.program
    original = program.read_text()
    old, new = example.prompt_edit
    assert old in original
    program.write_text(original.replace(old, new))
    status, _, err = _lumen(capsys, outputs, "run", example.program, "--replay", run_id,
                            "--trace-dir", "traces", *args)
    assert status == 2
    assert re.search(r"tool call error: replay divergence at tool call \d+ \(\w+ at "
                     rf"{re.escape(example.program)}:\d+:\d+", err), err
    assert new in err and old in err  # both inputs are shown
    program.write_text(original)

    first_call = 1 + next(i for i, line in enumerate(trace.read_text().splitlines())
                          if '"kind":"tool_call"' in line)
    _edit_one_byte(trace)
    status, out, err = _lumen(capsys, outputs, "trace", "show", run_id, "--trace-dir",
                              "traces", "--verify")
    # The first tool call (after run_start, cell_start and the calls leading to it).
    assert status == 1 and f"chain broken at traces/{trace.name}:{first_call}" in out + err

    leaked = [str(p) for p in tmp_path.rglob("*") if p.is_file()
              and FAKE_KEY.encode() in p.read_bytes()]
    assert leaked == []
    assert not any(FAKE_KEY in text for text in outputs)
