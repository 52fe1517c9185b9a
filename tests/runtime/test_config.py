"""lumen.toml (§12.5): discovery, precedence (CLI > environment > file > defaults), unknown
keys with the file:line of the key, secrets kept out of the file and out of messages, and
config errors shown as E0902 diagnostics by `lumen run`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lumen.runtime.config import (
    ConfigError,
    KeyLocator,
    Overrides,
    find_config,
    load_config,
    parse_config,
)

SECRET = "sk-THIS-IS-NOT-A-REAL-KEY-0123456789"
REPO = Path(__file__).resolve().parents[2]

GOOD = """\
[project]
name = "demo"

[providers]
"llm.chat" = "openai-compatible"
"http.get" = "builtin-http"

[providers.config.openai-compatible]
base_url = "https://api.example.com/v1"
api_key_env = "EXAMPLE_API_KEY"
default_model = "model-x"
timeout_ms = 30000
custom_flag = true

[providers.config.openai-compatible.retry]
max_retries = 3
base_delay_ms = 100
retry_on = ["RateLimit", "Timeout"]

[providers.mcp.tracker]
uri = "npx -y some-mcp-server"
tools = ["tracker.create_issue", "tracker.search"]
"""


def _write(directory: Path, text: str, name: str = "lumen.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(textwrap.dedent(text), "lumen.toml")
    return info.value


# ------------------------------------------------------------------ reading


def test_the_reference_example_reads() -> None:
    config = parse_config(GOOD, "lumen.toml")
    assert config.providers == {"llm.chat": "openai-compatible", "http.get": "builtin-http"}
    settings = config.settings("openai-compatible")
    assert settings["base_url"] == "https://api.example.com/v1"
    assert settings["custom_flag"] is True  # extra keys are passed to the provider
    assert settings["retry"]["max_retries"] == 3
    assert config.provider_name("tracker.search") == "mcp"
    assert config.provider_name("nothing") is None
    assert config.project == {"name": "demo"}


def test_settings_are_copies() -> None:
    config = parse_config(GOOD, "lumen.toml")
    config.settings("openai-compatible")["retry"]["max_retries"] = 99
    assert config.settings("openai-compatible")["retry"]["max_retries"] == 3


def test_secret_comes_from_the_named_environment_variable() -> None:
    config = parse_config(GOOD, "lumen.toml")
    assert config.secret("openai-compatible", {"EXAMPLE_API_KEY": SECRET}) == SECRET
    assert config.secret("openai-compatible", {}) is None
    assert config.secret("ollama", {"EXAMPLE_API_KEY": SECRET}) is None


# ------------------------------------------------------------------ discovery


def test_found_in_the_start_directory_then_parents(tmp_path: Path) -> None:
    top = _write(tmp_path, '[providers]\n"a.b" = "top"\n')
    deep = tmp_path / "x" / "y"
    deep.mkdir(parents=True)
    env = {"HOME": str(tmp_path / "home")}
    assert find_config(deep, env) == top
    near = _write(tmp_path / "x", '[providers]\n"a.b" = "near"\n')
    assert find_config(deep, env) == near
    assert load_config(deep, environ=env).providers == {"a.b": "near"}


def test_user_config_is_the_last_resort(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    home = tmp_path / "home"
    user = _write(home / ".config" / "lumen", '[providers]\n"a.b" = "user"\n')
    assert find_config(project, {"HOME": str(home)}) == user
    xdg = _write(tmp_path / "xdg" / "lumen", '[providers]\n"a.b" = "xdg"\n')
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert find_config(project, env) == xdg
    assert load_config(project, environ={"HOME": str(tmp_path / "nobody")}).path is None


def test_explicit_file_and_lumen_config_variable(tmp_path: Path) -> None:
    _write(tmp_path, '[providers]\n"a.b" = "found"\n')
    chosen = _write(tmp_path / "etc", '[providers]\n"a.b" = "env"\n', "other.toml")
    cli = _write(tmp_path / "etc", '[providers]\n"a.b" = "cli"\n', "cli.toml")
    env = {"LUMEN_CONFIG": str(chosen), "HOME": str(tmp_path)}
    assert load_config(tmp_path, environ=env).providers["a.b"] == "env"
    assert load_config(tmp_path, cli, environ=env).providers["a.b"] == "cli"
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path, tmp_path / "missing.toml", environ={})


# ------------------------------------------------------------------ precedence


def test_cli_beats_environment_beats_file(tmp_path: Path) -> None:
    _write(tmp_path, """\
        [providers]
        "llm.chat" = "file-provider"
        "http.get" = "builtin-http"
        [providers.config.ollama]
        base_url = "http://file:11434"
        default_model = "file-model"
        timeout_ms = 1000
    """)
    env = {"HOME": str(tmp_path),
           "LUMEN_PROVIDERS": "llm.chat=ollama; fs.read=fs",
           "LUMEN_SET": "ollama.base_url=http://env:1;ollama.default_model=env-model"}
    config = load_config(tmp_path, environ=env, overrides=Overrides(
        providers=("llm.chat=auto",), settings=("ollama.default_model=cli-model",
                                                "ollama.temperature=0.5",
                                                "ollama.stop=[\"a\", \"b\"]")))
    assert config.providers == {"llm.chat": "auto", "http.get": "builtin-http",
                                "fs.read": "fs"}
    assert config.settings("ollama") == {
        "base_url": "http://env:1", "default_model": "cli-model", "timeout_ms": 1000,
        "temperature": 0.5, "stop": ["a", "b"]}


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={"HOME": str(tmp_path)})
    assert (config.path, config.providers, config.provider_settings) == (None, {}, {})


def test_malformed_override_items(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not TOOL_ID=PROVIDER") as info:
        load_config(tmp_path, environ={"LUMEN_PROVIDERS": "llm.chat"})
    assert info.value.file == "environment variable LUMEN_PROVIDERS"
    with pytest.raises(ConfigError, match="is not PROVIDER.KEY=VALUE") as info:
        load_config(tmp_path, environ={}, overrides=Overrides(settings=(f"nodot={SECRET}",)))
    assert SECRET not in info.value.message


# ------------------------------------------------------------------ errors with positions


def test_unknown_top_level_key() -> None:
    error = _error("""\
        [project]
        name = "x"

        [provider]
        "llm.chat" = "ollama"
    """)
    assert (error.line, error.column) == (4, 2)
    assert error.message == "unknown key 'provider' in lumen.toml"
    assert "providers" in (error.hint or "")


def test_unknown_key_in_a_known_table_and_dotted_keys() -> None:
    error = _error("""\
        [project]
        name = "x"
          versoin = "1"
    """)
    assert (error.line, error.column, error.message) == (
        3, 3, "unknown key 'versoin' in [project]")
    error = _error('project.name = "x"\nproject.colour = "red"\n')
    assert (error.line, error.column) == (2, 1)


def test_unknown_retry_key_and_bad_retry_value() -> None:
    error = _error("""\
        [providers.config.ollama]
        base_url = "http://localhost:11434"
        notes = '''
        retries = 9
        '''
        [providers.config.ollama.retry]
        max_retries = 2
        retries = 5
    """)
    assert (error.line, error.message) == (
        8, "unknown key 'retries' in [providers.config.ollama.retry]")
    error = _error("""\
        [providers.config.ollama.retry]
        backoff = "sideways"
    """)
    assert error.line == 2 and "retry.backoff" in error.message


def test_unknown_mcp_key_and_missing_uri() -> None:
    error = _error("""\
        [providers.mcp.tracker]
        uri = "cmd"
        tools = [
          "a.b",
        ]
        colour = "red"
    """)
    assert (error.line, error.message) == (6, "unknown key 'colour' in [providers.mcp.tracker]")
    error = _error('[providers.mcp.tracker]\ntools = ["a.b"]\n')
    assert error.line == 1 and "needs 'uri'" in error.message


def test_mapping_values_must_be_provider_names() -> None:
    error = _error('[providers]\n"llm.chat" = 3\n')
    assert (error.line, error.column) == (2, 1)
    assert error.message == "provider of tool 'llm.chat' must be a string (a provider name)"


def test_invalid_toml_has_its_position() -> None:
    error = _error('[providers]\n"llm.chat" = = "x"\n')
    assert error.line == 2 and error.message.startswith("invalid TOML: ")


def test_secrets_in_the_file_are_rejected_without_quoting_them() -> None:
    error = _error(f"""\
        [providers.config.openai-compatible]
        base_url = "https://api.example.com"
        api_key = "{SECRET}"
    """)
    assert (error.line, error.column) == (3, 1)
    assert error.message == "secret 'api_key' must not be written in lumen.toml"
    assert "api_key_env" in (error.hint or "")
    assert SECRET not in str(error.message) + str(error.hint)
    error = _error(f'[providers.config.x]\nbase_url = {{ token = "{SECRET}" }}\n')
    assert SECRET not in error.message + (error.hint or "")


def test_secret_on_the_command_line_or_environment_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={"LUMEN_SET": f"openai.api_key={SECRET}"})
    assert SECRET not in info.value.message + (info.value.hint or "")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={}, overrides=Overrides(settings=(f"x.token={SECRET}",)))
    assert SECRET not in info.value.message + (info.value.hint or "")


def test_key_locator_handles_quoted_headers_and_arrays() -> None:
    locator = KeyLocator(textwrap.dedent("""\
        [providers]
        "llm.chat" = "a"   # comment [not a header]
        list = [
          "x", "[y]",
        ]
        [providers.config."open.ai"]
        model = "m"
    """))
    assert locator.find(("providers", "llm.chat")) == (2, 1)
    assert locator.find(("providers", "list")) == (3, 1)
    assert locator.find(("providers", "config", "open.ai", "model")) == (7, 1)
    assert locator.find(("providers", "config", "open.ai", "absent")) == (6, 2)


# ------------------------------------------------------------------ through `lumen run`

PROGRAM = """\
use tool llm.chat as Chat
grant Chat
print(Chat(prompt: "hi"))
"""


def _lumen_run(directory: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    # The real HOME keeps the warm parser cache; no user lumen.toml is read from XDG.
    base = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CONFIG_HOME": str(directory),
            "EXAMPLE_API_KEY": SECRET}
    for name in ("LUMEN_CONFIG", "LUMEN_PROVIDERS", "LUMEN_SET"):
        base.pop(name, None)
    return subprocess.run([sys.executable, "-m", "lumen", "run", "main.lm", *args],
                          cwd=directory, capture_output=True, text=True, timeout=60,
                          env={**base, **(env or {})})


def test_lumen_run_reports_a_config_error_as_e0902_at_the_key(tmp_path: Path) -> None:
    (tmp_path / "main.lm").write_text(PROGRAM, encoding="utf-8")
    _write(tmp_path, f"""\
        [providers]
        "llm.chat" = "openai-compatible"
        [providers.config.openai-compatible]
        api_key_env = "EXAMPLE_API_KEY"
        mdoel = "{SECRET}"
        [providers.config.openai-compatible.retry]
        max_retires = 1
    """)
    result = _lumen_run(tmp_path, "--json")
    assert result.returncode == 1
    error = json.loads(result.stdout.strip().splitlines()[-1])["error"]
    assert error["code"] == "E0902" and error["kind"] == "compile"
    assert (Path(error["file"]).name, error["line"], error["column"]) == ("lumen.toml", 7, 1)
    assert "lumen.toml:7:1: error[E0902]: unknown key 'max_retires'" in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_lumen_run_without_a_provider_names_the_section_to_add(tmp_path: Path) -> None:
    (tmp_path / "main.lm").write_text(PROGRAM, encoding="utf-8")
    result = _lumen_run(tmp_path)
    assert result.returncode == 2
    assert "tool call error: no provider configured for tool llm.chat" in result.stderr
    assert 'hint: map it in lumen.toml: [providers] "llm.chat"' in result.stderr
    result = _lumen_run(tmp_path, "--provider", "llm.chat=nonesuch")
    assert result.returncode == 2
    assert "tool call error: provider not registered: nonesuch" in result.stderr
