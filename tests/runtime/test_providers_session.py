"""Providers behind the run session: retry tables from the configuration, grant checks
before dispatch, and no API key value in any error, attempt record or trace line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.runtime.calls import ToolError
from lumen.runtime.config import Config
from lumen.runtime.session import RunSession
from lumen.runtime.trace import TraceWriter
from tests.runtime.helpers import tool_call
from tests.runtime.servers import FakeModelServer, error_reply, openai_reply

SECRET = "sk-live-SECRET-4f9c2a7e1b3d"


def chat_config(server: FakeModelServer, **retry: object) -> Config:
    settings: dict[str, object] = {"base_url": server.openai_base_url,
                                   "default_model": "fake-model",
                                   "api_key_env": "LUMEN_TEST_API_KEY"}
    if retry:
        settings["retry"] = retry
    return Config(providers={"llm.chat": "openai-compatible"},
                  provider_settings={"openai-compatible": settings})


def test_session_retries_with_the_configured_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMEN_TEST_API_KEY", SECRET)
    with FakeModelServer(api_key=SECRET) as server:
        server.script("openai", error_reply(500, "hiccup"), error_reply(500, "hiccup"),
                      openai_reply("third time"))
        sleeps: list[float] = []
        session = RunSession(chat_config(server, base_delay_ms=10, backoff="linear",
                                         jitter=False), sleep=sleeps.append)
        value = session.call_tool(tool_call("llm.chat", {"prompt": "hi"}, alias="Chat"))
    assert value == "third time" and sleeps == [0.01, 0.02]
    assert session.totals()["tokens_in"] == 12


def test_session_checks_the_domain_grant_before_dispatch() -> None:
    with FakeModelServer() as server:
        session = RunSession(Config())
        call = tool_call("http.get", {"url": server.url + "/echo"},
                         policy={"domain": "*.example.com"}, alias="Fetch")
        with pytest.raises(ToolError) as caught:
            session.call_tool(call)
        assert caught.value.kind == "PolicyViolation"
        assert server.requests == []  # never sent


def test_no_api_key_in_errors_attempts_or_traces(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMEN_TEST_API_KEY", SECRET)
    texts: list[str] = []
    with FakeModelServer(api_key="sk-some-other-key") as server:
        trace = TraceWriter(tmp_path, run_id="secret-run", secrets=[SECRET])
        session = RunSession(chat_config(server, base_delay_ms=1), trace=trace,
                             sleep=lambda s: None)
        # 401 with the key echoed back by the server.
        with pytest.raises(ToolError) as caught:
            session.call_tool(tool_call("llm.chat", {"prompt": "hi"}, alias="Chat"))
        texts += [caught.value.message, caught.value.hint or "", repr(caught.value),
                  repr(getattr(caught.value, "attempts", None))]
        # 429 and 500 answers that also quote the key.
        server.api_key = None
        server.script("openai", error_reply(429, f"key {SECRET} is over quota",
                                            headers={"Retry-After": "0"}),
                      error_reply(500, f"crash while using Bearer {SECRET}"),
                      error_reply(503, f"still down for {SECRET}"),
                      error_reply(500, f"down {SECRET}"))
        with pytest.raises(ToolError) as caught:
            session.call_tool(tool_call("llm.chat", {"prompt": "hi"}, alias="Chat"))
        texts += [caught.value.message, caught.value.hint or "",
                  repr(getattr(caught.value, "attempts", None))]
        session.close("error")
    texts.append((tmp_path / "secret-run.jsonl").read_text(encoding="utf-8"))
    assert len(server.chat_requests()) == 5
    assert all(r.headers["authorization"] == f"Bearer {SECRET}" for r in server.chat_requests())
    for text in texts:
        assert SECRET not in text
        assert SECRET[8:20] not in text  # not even a fragment long enough to matter
    assert "***" in texts[0]
