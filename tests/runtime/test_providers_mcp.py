"""The MCP provider against a real MCP server subprocess over stdio (fixtures/mcp_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lumen.runtime.calls import ToolError
from lumen.runtime.config import Config
from lumen.runtime.providers import mcp
from lumen.runtime.providers.registry import provider_for
from tests.runtime.helpers import tool_call
from tests.runtime.servers import mcp_server_command


@pytest.fixture(scope="module")
def config() -> Iterator[Config]:
    """One server process for the module (each start costs a Python start-up)."""
    yield Config(mcp_servers={"fixture": {"uri": mcp_server_command(), "timeout_ms": 5000}})
    mcp.close_all()


def call(config: Config, tool_id: str, **args: object) -> object:
    provider = provider_for(tool_id, config)
    answer = provider.call(tool_call(tool_id, args, alias="Tools"),
                           config.settings(provider.name))
    return answer.value


def test_tools_are_listed_as_server_dot_tool(config: Config) -> None:
    tools = mcp.list_server_tools("fixture", config.mcp_servers["fixture"])
    assert tools == ["fixture.echo", "fixture.add", "fixture.fail", "fixture.slow",
                     "fixture.crash"]


def test_calls_share_one_server_process(config: Config) -> None:
    assert call(config, "fixture.echo", text="hello") == "hello"
    assert call(config, "fixture.add", a=2, b=40) == {"sum": 42}
    assert len(mcp._clients) == 1


def test_tool_error_is_execution_failure(config: Config) -> None:
    with pytest.raises(ToolError) as caught:
        call(config, "fixture.fail")
    assert caught.value.kind == "ExecutionFailed"
    assert caught.value.message == ("tool execution failed: fixture.fail: the fail tool "
                                    "always fails")


def test_unknown_tool_lists_what_the_server_offers(config: Config) -> None:
    with pytest.raises(ToolError) as caught:
        call(config, "fixture.nope")
    assert caught.value.kind == "NotFound"
    assert caught.value.message == "tool not found: fixture.nope"
    assert "echo" in (caught.value.hint or "")


def test_slow_tool_times_out_and_the_server_stays_usable(config: Config) -> None:
    with pytest.raises(ToolError) as caught:
        call(config, "fixture.slow", ms=800, timeout_ms=100)
    assert caught.value.kind == "Timeout"
    # The late answer to the timed-out request is skipped, not taken for the next one.
    assert call(config, "fixture.echo", text="after") == "after"


def test_crashed_server_is_unavailable(config: Config) -> None:
    with pytest.raises(ToolError) as caught:
        call(config, "fixture.crash")
    assert caught.value.kind == "ProviderUnavailable"
    assert caught.value.message.startswith("provider unavailable: mcp:fixture (server exited")
    # The next call starts a fresh server.
    assert call(config, "fixture.echo", text="again") == "again"


def test_missing_command() -> None:
    config = Config(mcp_servers={"ghost": {"uri": "/no/such/mcp-server --flag"}})
    with pytest.raises(ToolError) as caught:
        call(config, "ghost.anything")
    assert caught.value.kind == "ProviderUnavailable"
    assert "cannot start '/no/such/mcp-server'" in caught.value.message


def test_server_declared_in_the_program() -> None:
    """`use tool mcp "URI" as Fixture` + `Fixture.echo(…)`: the tool id is `mcp:URI.echo`."""
    uri = mcp_server_command()
    try:
        assert call(Config(), f"mcp:{uri}.echo", text="direct") == "direct"
        with pytest.raises(ToolError) as caught:
            call(Config(), f"mcp:{uri}")  # the alias called without a tool name
        assert caught.value.kind in ("NotFound", "ProviderUnavailable")
    finally:
        mcp.close_all()
