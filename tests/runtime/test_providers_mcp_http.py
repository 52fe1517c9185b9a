"""The MCP provider over the streamable-HTTP transport, against a loopback MCP server
started by the test (tests/runtime/mcp_http_server.py): JSON and event-stream answers,
the session id, bearer tokens from the environment, errors and the end of the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.runtime.calls import ToolError
from lumen.runtime.config import Config, ConfigError, parse_config
from lumen.runtime.providers import mcp
from lumen.runtime.providers.mcp_http import sse_messages
from lumen.runtime.providers.registry import provider_for
from tests.runtime.helpers import tool_call
from tests.runtime.mcp_http_server import McpHttpServer

TOKEN = "mcp-token-7d3e9a1b55"


@pytest.fixture()
def server() -> Iterator[McpHttpServer]:
    with McpHttpServer() as running:
        yield running
    mcp.close_all()


def call(config: Config, tool_id: str, **args: object) -> object:
    provider = provider_for(tool_id, config)
    answer = provider.call(tool_call(tool_id, args, alias="Remote"),
                           config.settings(provider.name))
    return answer.value


def _config(url: str, **settings: object) -> Config:
    return Config(mcp_servers={"remote": {"uri": url, "timeout_ms": 3000, **settings}})


def test_calls_over_http_with_json_and_event_stream_answers(server: McpHttpServer) -> None:
    config = _config(server.url)
    assert mcp.list_server_tools("remote", config.mcp_servers["remote"]) == [
        "remote.echo", "remote.add", "remote.fail", "remote.slow"]
    assert call(config, "remote.echo", text="over http") == "over http"
    assert call(config, "remote.add", a=40, b=2) == {"sum": 42}
    assert server.rpc_methods() == ["initialize", "notifications/initialized", "tools/list",
                                    "tools/call", "tools/call"]
    (session,) = server.sessions
    later = [headers for method, _rpc, headers in server.log[1:]]
    assert all(h.get("mcp-session-id") == session for h in later)
    assert all(h.get("mcp-protocol-version") == "2025-03-26" for h in later)
    mcp.close_all()
    assert server.log[-1][0] == "DELETE" and session in server.ended


def test_every_answer_as_an_event_stream(server: McpHttpServer) -> None:
    server.sse_everything = True
    assert call(_config(server.url), "remote.echo", text="streamed") == "streamed"


def test_tool_errors_unknown_tools_and_time_outs(server: McpHttpServer) -> None:
    config = _config(server.url)
    with pytest.raises(ToolError) as failed:
        call(config, "remote.fail")
    assert failed.value.message == "tool execution failed: remote.fail: the fail tool " \
                                   "always fails"
    with pytest.raises(ToolError) as unknown:
        call(config, "remote.nope")
    assert unknown.value.kind == "NotFound" and "echo" in (unknown.value.hint or "")
    with pytest.raises(ToolError) as slow:
        call(config, "remote.slow", ms=600, timeout_ms=100)
    assert slow.value.kind == "Timeout"
    assert call(config, "remote.echo", text="still fine") == "still fine"


def test_an_ended_session_is_started_again(server: McpHttpServer) -> None:
    config = _config(server.url)
    assert call(config, "remote.echo", text="one") == "one"
    server.ended |= server.sessions  # the server forgets the session
    with pytest.raises(ToolError) as ended:
        call(config, "remote.echo", text="two")
    assert ended.value.kind == "ProviderUnavailable"
    assert call(config, "remote.echo", text="three") == "three"


def test_bearer_token_from_the_environment_never_shown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with McpHttpServer(token=TOKEN) as secured:
        monkeypatch.setenv("REMOTE_MCP_TOKEN", TOKEN)
        config = _config(secured.url, api_key_env="REMOTE_MCP_TOKEN")
        assert call(config, "remote.echo", text="authorised") == "authorised"
        mcp.close_all()
        monkeypatch.setenv("REMOTE_MCP_TOKEN", "wrong-token-value")
        with pytest.raises(ToolError) as refused:
            call(config, "remote.echo", text="x")
        assert refused.value.kind == "AuthError"
        assert "wrong-token-value" not in refused.value.message
        monkeypatch.delenv("REMOTE_MCP_TOKEN")
        mcp.close_all()
        with pytest.raises(ToolError) as missing:
            call(config, "remote.echo", text="x")
        assert "REMOTE_MCP_TOKEN is not set" in missing.value.message
    mcp.close_all()


def test_nothing_listening_is_unavailable() -> None:
    with pytest.raises(ToolError) as caught:
        call(_config("http://127.0.0.1:9/mcp", timeout_ms=2000), "remote.echo", text="x")
    assert caught.value.kind == "ProviderUnavailable"


def test_secret_headers_stay_out_of_lumen_toml() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config('[providers.mcp.r]\nuri = "http://x/mcp"\n'
                     '[providers.mcp.r.headers]\nAuthorization = "Bearer abc"\n', "lumen.toml")
    assert "secret header 'Authorization'" in caught.value.message
    config = parse_config('[providers.mcp.r]\nuri = "http://x/mcp"\napi_key_env = "T"\n'
                          '[providers.mcp.r.headers]\nX-Team = "blue"\n', "lumen.toml")
    assert config.mcp_servers["r"]["headers"] == {"X-Team": "blue"}


def test_sse_parsing() -> None:
    lines = [": comment", "event: message", "data: {\"a\":", "data: 1}", "", "event: other",
             "data: skipped", "", "data: last"]
    assert list(sse_messages(iter(lines))) == ['{"a":\n1}', "last"]


def test_a_program_calls_an_http_server_declared_in_lumen_toml_and_in_the_program(
        server: McpHttpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "lumen.toml").write_text(f'[providers.mcp.remote]\nuri = "{server.url}"\n')
    (tmp_path / "p.lm").write_text(f"""\
use tool remote.add as Add
use tool mcp "{server.url}" as Direct
grant Add
grant Direct

cell main()
  print(Add(a: 1, b: 2))
  print(Direct.echo(text: "declared in the program"))
end
""")
    assert run_cli(["run", "p.lm"]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out == '{"sum": 3}\ndeclared in the program\n'
