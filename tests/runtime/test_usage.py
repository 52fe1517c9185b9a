"""Token accounting (lumen/runtime/usage.py): totals per provider and model, estimates when
a server reports no usage, prices, the run-wide `max_tokens` budget, `lumen run --verbose`
and the trace's run_end."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.runtime.calls import ToolError, ToolResult
from lumen.runtime.config import ConfigError, Overrides, load_config, parse_config
from lumen.runtime.trace import read_trace, trace_files
from lumen.runtime.usage import UsageLedger
from tests.runtime.servers import FakeModelServer, openai_reply

PROGRAM = """\
use tool llm.chat as Chat
grant Chat

cell main()
  print(Chat(prompt: "one"))
  print(Chat(prompt: "two"))
end
"""


def _result(tokens_in: int | None, tokens_out: int | None, *, model: str = "m",
            estimated: bool = False, cached: bool = False) -> ToolResult:
    return ToolResult(value="x", provider="openai-compatible", tokens_in=tokens_in,
                      tokens_out=tokens_out, model=model, tokens_estimated=estimated,
                      cached=cached)


def test_ledger_sums_per_model_prices_and_marks_estimates() -> None:
    ledger = UsageLedger(lambda provider: (1.0, 2.0))
    ledger.add(_result(100, 50))
    ledger.add(_result(10, 5, estimated=True))
    ledger.add(_result(7, 3, model="other"))
    ledger.add(_result(None, None))  # not a model: nothing to count
    ledger.add(_result(1000, 1000, cached=True))  # a cache hit spent nothing
    totals = ledger.totals()
    assert (totals["tokens_in"], totals["tokens_out"]) == (117, 58)
    assert totals["tokens_estimated"] is True
    assert totals["cost"] == pytest.approx((117 * 1.0 + 58 * 2.0) / 1000)
    first, second = totals["models"]
    assert (first["model"], first["calls"], first["estimated"]) == ("m", 2, True)
    assert (second["model"], second["estimated"]) == ("other", False)


def test_budget_refuses_the_call_after_it_is_spent() -> None:
    ledger = UsageLedger(lambda provider: (0.0, 0.0), max_tokens=100)
    ledger.check_budget()
    ledger.add(_result(60, 40))  # exactly spent: allowed
    with pytest.raises(ToolError) as before:
        ledger.check_budget()
    assert before.value.kind == "BudgetExceeded"
    over = UsageLedger(lambda provider: (0.0, 0.0), max_tokens=10)
    with pytest.raises(ToolError) as after:
        over.add(_result(8, 5))
    assert after.value.message == \
        "token budget exceeded for 'max_tokens': 13 tokens used, limit 10"


def test_budget_and_prices_in_lumen_toml(tmp_path: Path) -> None:
    config = parse_config('[budget]\nmax_tokens = 500\n[providers.config.p]\n'
                          'price_in_per_1k = 0.5\nprice_out_per_1k = 1\n', "lumen.toml")
    assert config.max_tokens == 500
    with pytest.raises(ConfigError) as bad:
        parse_config('[budget]\nmax_tokens = "lots"\n', "lumen.toml")
    assert (bad.value.line, bad.value.column) == (2, 1)
    with pytest.raises(ConfigError) as unknown:
        parse_config('[budget]\nmax_calls = 3\n', "lumen.toml")
    assert "unknown key 'max_calls'" in unknown.value.message
    with pytest.raises(ConfigError):
        parse_config('[providers.config.p]\nprice_in_per_1k = "cheap"\n', "lumen.toml")
    (tmp_path / "lumen.toml").write_text("[budget]\nmax_tokens = 500\n")
    overridden = load_config(tmp_path, environ={},
                             overrides=Overrides(settings=("budget.max_tokens=20",)))
    assert overridden.max_tokens == 20


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "prog.lm").write_text(PROGRAM)
    return tmp_path


def test_verbose_run_shows_totals_and_the_trace_stores_them(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeModelServer() as server:
        server.script("openai", openai_reply("A", prompt_tokens=12, completion_tokens=7),
                      openai_reply("B", usage=False))
        toml = server.lumen_toml() + "price_in_per_1k = 1.0\nprice_out_per_1k = 2.0\n"
        (workdir / "lumen.toml").write_text(toml)
        status = run_cli(["run", "prog.lm", "--verbose", "--trace-dir", "tr"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out == "A\nB\n"
    # "two" is 3 characters: 1 token in by estimate; "B" 1 token out.
    assert "lumen: tools: 2 call(s), 0 failed; tokens: 13 in, 8 out (estimated); " \
           "estimated cost 0.0290" in err
    assert "openai-compatible fake-model: 2 call(s), 13 in, 8 out, estimated" in err
    (path,) = trace_files("tr")
    events = read_trace(path).events
    end = events[-1]
    assert end["kind"] == "run_end"
    assert end["details"]["tokens_in"] == 13 and end["details"]["tokens_estimated"] is True
    assert end["details"]["cost"] == pytest.approx(0.029)
    calls = [e for e in events if e["kind"] == "tool_call"]
    assert calls[-1]["details"]["tokens_estimated"] is True


def test_max_tokens_stops_the_run_and_replay_stops_at_the_same_call(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeModelServer() as server:
        (workdir / "lumen.toml").write_text(server.lumen_toml())
        status = run_cli(["run", "prog.lm", "--max-tokens", "10", "--trace-dir", "tr"])
        out, err = capsys.readouterr()
        assert len(server.chat_requests()) == 1  # the second call was never sent
    assert status == 2
    assert out == ""  # the first answer overspent the budget before it was printed
    assert "tool call error: token budget exceeded for 'max_tokens': 19 tokens used, " \
           "limit 10" in err
    (path,) = trace_files("tr")
    status = run_cli(["run", "prog.lm", "--max-tokens", "10", "--replay", path.stem,
                      "--trace-dir", "tr"])
    assert status == 2
    assert "token budget exceeded for 'max_tokens'" in capsys.readouterr().err


def test_tokens_of_a_typed_call_that_could_not_be_repaired_still_count() -> None:
    from lumen.runtime.calls import ToolCall
    from tests.runtime.tool_helpers import FakeProvider, session_with

    session = session_with(FakeProvider(answer=lambda call: "not json at all"))
    call = ToolCall("Chat", "llm.chat", None, {"prompt": "p"}, {})
    schema = {"kind": "Record", "name": "R", "fields": {"a": {"kind": "Int"}}}
    with pytest.raises(ToolError) as failed:
        session.call_tool(call, schema=schema)
    assert failed.value.kind == "OutputValidationFailed"
    # Three tries (the call and two repairs), 3 tokens in and 4 out each (FakeProvider).
    assert (session.tokens_in, session.tokens_out) == (9, 12)
