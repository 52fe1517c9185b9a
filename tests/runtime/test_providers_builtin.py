"""Built-in providers without configuration (fs, env, json, crypto, http) and the registry
(mapping, wildcards, MCP routing, entry points of the group `lumen.providers`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from lumen.runtime.calls import ToolError
from lumen.runtime.config import Config
from lumen.runtime.providers.registry import (
    BUILTIN_TOOL_IDS,
    provider_for,
    provider_name_for,
    provider_names,
    refresh_entry_points,
)
from tests.runtime.helpers import tool_call
from tests.runtime.servers import FakeModelServer, Reply
from tests.runtime.servers import model_server as model_server  # noqa: F401  (fixture)

EMPTY = Config()


def run(tool_id: str, args: dict[str, object] | None = None,
        policy: dict[str, object] | None = None, settings: dict[str, object] | None = None,
        config: Config = EMPTY) -> object:
    provider = provider_for(tool_id, config)
    return provider.call(tool_call(tool_id, args, policy), settings or {}).value


def test_every_builtin_id_has_a_provider() -> None:
    for tool_id in BUILTIN_TOOL_IDS:
        assert provider_for(tool_id, EMPTY).name in ("fs", "env", "json", "crypto", "http")


# ------------------------------------------------------------------ fs


def test_fs_round_trip_under_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    policy = {"root": "sub"}  # a grant narrows the root to a folder inside it
    assert run("fs.write", {"path": "a/b.txt", "content": "héllo"}, policy) == \
        {"path": "a/b.txt", "bytes": 6}
    assert run("fs.read", {"arg0": "a/b.txt"}, policy) == "héllo"
    assert run("fs.exists", {"path": "a/b.txt"}, policy) is True
    assert run("fs.list", {"path": "a"}, policy) == ["b.txt"]
    assert run("fs.mkdir", {"path": "c/d"}, policy) is True
    assert run("fs.remove", {"path": "a"}, policy) is True
    assert run("fs.exists", {"path": "a/b.txt"}, policy) is False
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["c"]


def test_fs_root_cannot_be_widened(tmp_path: Path) -> None:
    settings = {"root": str(tmp_path)}
    with pytest.raises(ToolError) as caught:  # by a call argument
        run("fs.read", {"path": "/etc/hostname", "root": "/"}, settings=settings)
    assert caught.value.kind == "PolicyViolation"
    with pytest.raises(ToolError) as caught:  # by a grant
        run("fs.read", {"path": "/etc/hostname"}, {"root": "/"}, settings=settings)
    assert caught.value.kind == "PolicyViolation"


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "a/../../x"])
def test_fs_refuses_paths_outside_the_root(tmp_path: Path, path: str) -> None:
    with pytest.raises(ToolError) as caught:
        run("fs.read", {"path": path}, settings={"root": str(tmp_path)})
    assert caught.value.kind == "PolicyViolation"
    assert "is outside the allowed root" in caught.value.message


def test_fs_refuses_symlinks_leaving_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(ToolError) as caught:
        run("fs.write", {"path": "link/x", "content": "no"}, settings={"root": str(root)})
    assert caught.value.kind == "PolicyViolation"


def test_fs_missing_file_is_execution_failure(tmp_path: Path) -> None:
    with pytest.raises(ToolError) as caught:
        run("fs.read", {"path": "nope.txt"}, settings={"root": str(tmp_path)})
    assert caught.value.kind == "ExecutionFailed"
    assert caught.value.message == "tool execution failed: fs.read nope.txt: " \
                                   "No such file or directory"


# ------------------------------------------------------------------ env


def test_env_tools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LUMEN_TEST_VAR", "v1")
    monkeypatch.chdir(tmp_path)
    assert run("env.get", {"name": "LUMEN_TEST_VAR"}) == "v1"
    assert run("env.get", {"name": "LUMEN_NOT_SET_VAR", "default": "d"}) == "d"
    assert run("env.has", {"arg0": "LUMEN_TEST_VAR"}) is True
    assert run("env.set", {"name": "LUMEN_TEST_VAR", "value": "v2"}) is None
    assert run("env.get", {"name": "LUMEN_TEST_VAR"}) == "v2"
    names = run("env.list")
    assert isinstance(names, list) and "LUMEN_TEST_VAR" in names and "v2" not in names
    assert run("env.cwd") == str(tmp_path)
    assert run("env.home") == str(Path.home())
    assert run("env.platform") == ("linux" if sys.platform == "linux" else sys.platform)
    assert run("env.args", settings={"args": ["a", "b"]}) == ["a", "b"]


def test_env_refuses_to_read_api_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_PROVIDER_KEY", "sk-do-not-leak-1234")
    config = Config(provider_settings={"openai-compatible": {"api_key_env":
                                                             "SOME_PROVIDER_KEY"}})
    with pytest.raises(ToolError) as caught:
        run("env.get", {"name": "SOME_PROVIDER_KEY"}, config=config)
    assert caught.value.kind == "PolicyViolation"
    assert "sk-do-not-leak-1234" not in caught.value.message


# ------------------------------------------------------------------ json, crypto


def test_json_tool() -> None:
    assert run("json", {"text": '{"b": [1, 2], "a": null}'}) == {"b": [1, 2], "a": None}
    assert run("json", {"value": {"b": 1, "a": [True]}}) == '{"a":[true],"b":1}'
    assert run("json.parse", {"arg0": "[1]"}) == [1]
    with pytest.raises(ToolError) as caught:
        run("json", {"text": "{nope"})
    assert caught.value.kind == "InvalidArgs" and "line 1 column 2" in caught.value.message


def test_crypto_tools() -> None:
    assert run("crypto.sha256", {"text": "abc"}) == hashlib.sha256(b"abc").hexdigest()
    assert run("crypto.sha512", {"arg0": "abc"}) == hashlib.sha512(b"abc").hexdigest()
    assert run("crypto.md5", {"text": "abc"}) == hashlib.md5(b"abc").hexdigest()
    assert run("crypto.base64_encode", {"text": "hé"}) == base64.b64encode("hé".encode()).decode()
    assert run("crypto.base64_decode", {"text": base64.b64encode("hé".encode()).decode()}) \
        == "hé"
    assert run("crypto.hmac_sha256", {"key": "k", "message": "m"}) == \
        hmac.new(b"k", b"m", hashlib.sha256).hexdigest()
    assert uuid.UUID(str(run("crypto.uuid"))).version == 4
    values = {run("crypto.random_int", {"min": 1, "max": 3}) for _ in range(60)}
    assert values == {1, 2, 3}
    with pytest.raises(ToolError):
        run("crypto.random_int", {"min": 5, "max": 1})
    with pytest.raises(ToolError):
        run("crypto.base64_decode", {"text": "%%%"})


# ------------------------------------------------------------------ http


def test_http_methods_against_a_server(model_server: FakeModelServer) -> None:
    got = run("http.get", {"url": model_server.url + "/echo", "headers": {"X-A": "1"}})
    assert isinstance(got, dict) and got["status"] == 200
    assert got["headers"]["x-fake"] == "yes"
    assert json.loads(got["body"])["headers"]["x-a"] == "1"
    posted = run("http.post", {"url": model_server.url + "/echo", "body": {"k": [1]}})
    echoed = json.loads(posted["body"])
    assert echoed["method"] == "POST" and json.loads(echoed["body"]) == {"k": [1]}
    assert echoed["headers"]["content-type"] == "application/json"
    put = run("http.put", {"url": model_server.url + "/echo", "body": "raw text"})
    assert json.loads(put["body"])["body"] == "raw text"
    assert run("http.delete", {"url": model_server.url + "/missing"})["status"] == 404


def test_http_timeout_and_bad_url(model_server: FakeModelServer) -> None:
    model_server.route("GET", "/slow", Reply(200, "late", delay_s=0.5))
    with pytest.raises(ToolError) as caught:
        run("http.get", {"url": model_server.url + "/slow", "timeout_ms": 100})
    assert caught.value.kind == "Timeout"
    with pytest.raises(ToolError) as caught:
        run("http.get", {"url": "ftp://example.invalid/x"})
    assert caught.value.kind == "InvalidArgs"


# ------------------------------------------------------------------ registry


def test_unmapped_tool_names_the_config_section() -> None:
    with pytest.raises(ToolError) as caught:
        provider_for("llm.chat", EMPTY)
    assert caught.value.kind == "ProviderUnavailable"
    assert caught.value.message == "no provider configured for tool llm.chat"
    assert "[providers]" in (caught.value.hint or "")


def test_mapping_wildcards_aliases_and_unknown_names() -> None:
    config = Config(providers={"llm.chat": "openai-compatible", "local.*": "ollama",
                               "web.fetch": "builtin-http", "x.y": "no-such-provider"},
                    mcp_servers={"tracker": {"uri": "cmd"},
                                 "notes": {"uri": "cmd", "tools": ["notes.add"]}})
    assert provider_for("llm.chat", config).name == "openai-compatible"
    assert provider_for("local.chat.v2", config).name == "ollama"
    assert provider_for("web.fetch", config).name == "builtin-http"
    assert provider_name_for("tracker.search", config) == "mcp"
    assert provider_name_for("notes.add", config) == "mcp"
    assert provider_name_for("notes.other", config) is None
    with pytest.raises(ToolError) as caught:
        provider_for("x.y", config)
    assert caught.value.kind == "NotFound"
    assert caught.value.message == "provider not registered: no-such-provider"


def test_entry_point_providers_are_loaded(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A real installed distribution (a .dist-info on sys.path) declaring the group."""
    (tmp_path / "echo_provider.py").write_text(textwrap.dedent("""
        from lumen.runtime.calls import ToolResult

        class EchoProvider:
            name = "echo-plugin"

            def call(self, call, settings):
                return ToolResult(value={"echo": call.args, "prefix": settings.get("prefix")},
                                  provider=self.name)

        def broken():
            raise RuntimeError("plugin exploded")

        class Buggy:
            name = "buggy"

            def call(self, call, settings):
                return {}["missing"]
    """))
    info = tmp_path / "echo_provider-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-provider\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[lumen.providers]\necho-plugin = echo_provider:EchoProvider\n"
        "broken-plugin = echo_provider:broken\nbuggy = echo_provider:Buggy\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    refresh_entry_points()
    try:
        config = Config(providers={"my.echo": "echo-plugin", "my.broken": "broken-plugin"},
                        provider_settings={"echo-plugin": {"prefix": ">"}})
        assert "echo-plugin" in provider_names()
        provider = provider_for("my.echo", config)
        answer = provider.call(tool_call("my.echo", {"x": 1}), config.settings(provider.name))
        assert answer.value == {"echo": {"x": 1}, "prefix": ">"}
        with pytest.raises(ToolError) as caught:
            provider_for("my.broken", config)
        assert caught.value.kind == "ProviderUnavailable"
        assert "RuntimeError: plugin exploded" in caught.value.message
        buggy = provider_for("my.buggy", Config(providers={"my.buggy": "buggy"}))
        with pytest.raises(ToolError) as caught:
            buggy.call(tool_call("my.buggy"), {})
        assert caught.value.message == ("tool execution failed: provider buggy failed: "
                                        "KeyError: 'missing'")
    finally:
        monkeypatch.undo()
        refresh_entry_points()


@pytest.mark.parametrize(("tool_id", "args", "kind"), [
    ("env.set", {"name": "A=B", "value": "x"}, "InvalidArgs"),
    ("fs.read", {"path": "a\x00b"}, "InvalidArgs"),
    ("fs.read", {"path": "."}, "ExecutionFailed"),
    ("http.post", {"url": "http://127.0.0.1:9/x", "body": {"a": float("nan")}}, "InvalidArgs"),
    ("http.get", {"url": "http://[::1"}, "InvalidArgs"),
    ("http.get", {"url": 42}, "InvalidArgs"),
    ("crypto.sha256", {}, "InvalidArgs"),
    ("crypto.nope", {"text": "x"}, "ProviderUnavailable"),  # not a built-in id
])
def test_bad_inputs_are_tool_errors(tool_id: str, args: dict[str, object], kind: str) -> None:
    with pytest.raises(ToolError) as caught:
        run(tool_id, args)
    assert caught.value.kind == kind
