"""`lumen test --record DIR` / `--replay DIR` (issue 6): one trace per test, recorded against
the loopback model server, then served offline; divergences fail the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.runtime.trace import read_trace, verify_log
from tests.runtime.servers import FakeModelServer
from tests.testing.conftest import LumenTest

CHAT_TESTS = """\
use tool llm.chat as Chat
grant Chat model "fake-model"

cell test_capital()
  let answer = Chat(prompt: "capital of France?")
  assert_eq(answer, "Paris")
end

cell test_two_questions()
  assert_eq(Chat(prompt: "capital of Italy?"), "Rome")
  assert_eq(Chat(prompt: "capital of France?"), "Paris")
end

cell test_without_tools()
  assert_eq(1 + 1, 2)
end
"""
TEST_FILE = Path("tests") / "chat_test.lm"
RECORDINGS = Path("fx") / "tests" / "chat_test.lm"


@pytest.fixture()
def recorded(project: Path, lumen_test: LumenTest) -> Path:
    """The project with its tests recorded against a model server that is gone afterwards."""
    (project / "tests").mkdir()
    (project / TEST_FILE).write_text(CHAT_TESTS)
    with FakeModelServer() as server:
        server.when("capital of France", "Paris")
        server.when("capital of Italy", "Rome")
        (project / "lumen.toml").write_text(server.lumen_toml())
        status, out, _ = lumen_test("--record", "fx")
        assert status == 0, out
        assert len(server.chat_requests()) == 3
    # Replay must not need the server, nor even a provider for the tool.
    (project / "lumen.toml").write_text('[providers]\n"llm.chat" = "no-such-provider"\n')
    return project


def test_one_verified_trace_per_test(recorded: Path) -> None:
    names = sorted(p.name for p in (recorded / RECORDINGS).iterdir())
    assert names == ["test_capital.jsonl", "test_two_questions.jsonl",
                     "test_without_tools.jsonl"]
    trace = read_trace(recorded / RECORDINGS / "test_two_questions.jsonl")
    assert verify_log(trace) == []
    assert [e["kind"] for e in trace.events].count("tool_call") == 2
    assert trace.events[1]["cell"] == "test_two_questions"


def test_replay_runs_offline(recorded: Path, lumen_test: LumenTest) -> None:
    status, out, _ = lumen_test("--replay", "fx")
    assert status == 0, out
    assert out.splitlines()[-1] == "3 passed, 0 failed"


def test_live_run_without_a_provider_fails(recorded: Path, lumen_test: LumenTest) -> None:
    # The counter-check of the test above: without --replay the tool would be called.
    status, out, _ = lumen_test("--filter", "capital")
    assert status == 1 and "no-such-provider" in out


def test_changed_prompt_is_a_divergence(recorded: Path, lumen_test: LumenTest) -> None:
    source = recorded / TEST_FILE
    source.write_text(CHAT_TESTS.replace('"capital of France?")\n  assert_eq(answer',
                                         '"capital of Spain?")\n  assert_eq(answer'))
    status, out, _ = lumen_test("--replay", "fx")
    assert status == 1
    assert out.splitlines()[-1] == "2 passed, 1 failed"
    assert "FAIL tests/chat_test.lm::test_capital" in out
    assert ("replay divergence at tool call 1 (Chat at tests/chat_test.lm:5:16, recorded at "
            "tests/chat_test.lm:5:16): recorded 'llm.chat' with inputs "
            '{"prompt":"capital of France?"}, the program asked \'llm.chat\' with inputs '
            '{"prompt":"capital of Spain?"}') in out
    assert "hint: record the tests again with `lumen test --record fx`" in out


def test_missing_recording_fails_only_tests_that_call_tools(
        recorded: Path, lumen_test: LumenTest) -> None:
    (recorded / RECORDINGS / "test_capital.jsonl").unlink()
    (recorded / RECORDINGS / "test_without_tools.jsonl").unlink()
    status, out, _ = lumen_test("--replay", "fx")
    assert status == 1
    assert "replay divergence: no recording of test_capital" in out
    assert "ok   tests/chat_test.lm::test_without_tools" in out
    assert out.splitlines()[-1] == "2 passed, 1 failed"


def test_fewer_calls_than_recorded_fail(recorded: Path, lumen_test: LumenTest) -> None:
    source = recorded / TEST_FILE
    source.write_text(CHAT_TESTS.replace(
        '  assert_eq(Chat(prompt: "capital of France?"), "Paris")\nend\n\ncell test_without',
        "end\n\ncell test_without"))
    status, out, _ = lumen_test("--replay", "fx", "--filter", "two")
    assert status == 1
    assert ("the test made 1 of the 2 tool calls of its recording "
            f"{RECORDINGS / 'test_two_questions.jsonl'}") in out


def test_tampered_recording_is_refused(recorded: Path, lumen_test: LumenTest) -> None:
    trace = recorded / RECORDINGS / "test_capital.jsonl"
    trace.write_text(trace.read_text().replace("Paris", "Lyon"))
    status, out, _ = lumen_test("--replay", "fx", "--filter", "capital")
    assert status == 1
    assert "replay divergence: cannot replay run test_capital" in out


def test_record_and_replay_together_is_a_usage_error(project: Path,
                                                     lumen_test: LumenTest) -> None:
    status, _, err = lumen_test("--record", "a", "--replay", "b")
    assert status == 64 and "cannot be used together" in err
