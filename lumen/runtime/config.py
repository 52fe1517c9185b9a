"""Project configuration `lumen.toml` (LANGUAGE.md §12.5).

Where: an explicit file (CLI `--config`, else the environment variable `LUMEN_CONFIG`),
else `lumen.toml` in the start directory, then each parent directory, then the user config
file (`$XDG_CONFIG_HOME/lumen/lumen.toml`, default `~/.config/lumen/lumen.toml`).

Precedence, highest first: CLI flags > environment > `lumen.toml` > defaults. Both the CLI
and the environment can map tools to providers and set provider settings:

    CLI:          --provider TOOL_ID=PROVIDER   --set PROVIDER.KEY=VALUE   (repeatable)
    environment:  LUMEN_PROVIDERS="TOOL_ID=PROVIDER;..."  LUMEN_SET="PROVIDER.KEY=VALUE;..."

VALUE is read as a TOML value when it is one (`3`, `true`, `"x"`, `[1, 2]`), else as text.

Secrets are never written in the file: a provider names the environment variable that
holds its key (`api_key_env`); `Config.secret(provider)` reads it when a provider needs it.
Keys that look like secrets (`api_key`, `token`, …) are rejected, and no error message
quotes a configured value.

Unknown keys are errors carrying the file, line and column of the key (`ConfigError`,
rendered as diagnostic E0902).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILE = "lumen.toml"
ENV_CONFIG = "LUMEN_CONFIG"
ENV_PROVIDERS = "LUMEN_PROVIDERS"
ENV_SET = "LUMEN_SET"

TOP_LEVEL_TABLES = {
    "project": "project metadata (name, version, description, authors)",
    # [package] (name, version, entry, source) is validated by lumen.project.manifest.
    "package": "the package: name, version, entry file, source folder",
    "providers": "tool ids mapped to providers, and provider settings",
    "trace": "where `lumen run --trace-dir` records by default, max_call_events",
    "cache": "the tool-result cache",
    "budget": "run-wide limits (max_tokens)",
}
PROJECT_KEYS = frozenset({"name", "version", "description", "authors", "license"})
TRACE_KEYS = frozenset({"dir", "max_call_events"})
CACHE_KEYS = frozenset({"dir", "enabled", "tools"})
BUDGET_KEYS = frozenset({"max_tokens"})
BUDGET_TABLE = "budget"  # `--set budget.max_tokens=N` sets [budget], not a provider
# Per-provider prices per 1000 tokens, for the estimated cost (lumen/runtime/usage.py).
PRICE_SETTINGS = frozenset({"price_in_per_1k", "price_out_per_1k"})
MCP_KEYS = frozenset({"uri", "tools", "env", "cwd", "timeout_ms", "headers", "api_key_env"})
# Settings with a fixed meaning; any other key is passed to the provider as it is (§12.5).
STRING_SETTINGS = frozenset({"base_url", "api_key_env", "default_model", "model"})
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
SECRET_KEYS = frozenset({"api_key", "apikey", "key", "token", "secret", "password",
                         "access_token", "auth_token", "bearer"})


class ConfigError(Exception):
    """An invalid configuration: where (file, 1-based line and column of the key; 0 when
    unknown; `width`: the key's length as written) and what. Never carries a configured
    value in its text. `secret`: the line holds a secret, so it is never shown."""

    def __init__(self, file: str, line: int, column: int, message: str,
                 hint: str | None = None, *, width: int = 1, secret: bool = False) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
        self.width = max(width, 1)
        self.secret = secret

    def diagnostic(self) -> Any:
        """As a Lumen diagnostic (code E0902 `ConfigError`), positioned at the key so the
        CLI shows the lumen.toml line with a caret run under it. A line holding a secret
        is not shown: its position goes into the message instead."""
        from lumen.diagnostics import Diagnostic, ErrorCode, Span
        from lumen.diagnostics.diagnostic import NO_SPAN

        message = self.message
        if self.line <= 0:
            span = NO_SPAN
        elif self.secret:
            span = NO_SPAN
            message += f" (line {self.line}, column {max(self.column, 1)})"
        else:
            column = max(self.column, 1)
            span = Span(self.line, column, self.line, column + self.width)
        return Diagnostic(ErrorCode.CONFIG.value, message, self.file, span, hint=self.hint)


@dataclass
class Config:
    """The effective configuration of one run."""

    path: str | None = None  # the lumen.toml that was read, None when none was found
    providers: dict[str, str] = field(default_factory=dict)  # tool id -> provider name
    provider_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    mcp_servers: dict[str, dict[str, Any]] = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)
    trace_dir: str | None = None
    max_call_events: int | None = None  # [trace]: call events a trace holds (call_trace.py)
    cache: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)  # [budget]: max_tokens

    @property
    def max_tokens(self) -> int | None:
        """The run-wide token budget, None for no limit."""
        value = self.budget.get("max_tokens")
        return value if isinstance(value, int) else None

    def provider_name(self, tool_id: str) -> str | None:
        """The provider a tool id is mapped to (an MCP server's listed tools map to
        `mcp`), None when unmapped."""
        name = self.providers.get(tool_id)
        if name is not None:
            return name
        for server in self.mcp_servers.values():
            if tool_id in server.get("tools", ()):
                return "mcp"
        return None

    def settings(self, provider: str) -> dict[str, Any]:
        """A copy of `[providers.config.PROVIDER]` (empty when absent)."""
        return _copy(self.provider_settings.get(provider, {}))

    def secret_settings(self) -> dict[str, Any]:
        """Every table that may name a secret's environment variable (`api_key_env`)."""
        return {"providers": self.provider_settings, "mcp": self.mcp_servers}

    def secret(self, provider: str, environ: Mapping[str, str] | None = None) -> str | None:
        """The provider's key, read from the environment variable its `api_key_env` names."""
        name = self.provider_settings.get(provider, {}).get("api_key_env")
        if not isinstance(name, str):
            return None
        return (os.environ if environ is None else environ).get(name)


@dataclass(frozen=True)
class Overrides:
    """Settings from the command line: `--provider` and `--set` items, as written."""

    providers: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ loading


def find_config(start_dir: str | Path, environ: Mapping[str, str] | None = None) -> Path | None:
    """`lumen.toml` in `start_dir` or a parent, else the user config file, else None."""
    environ = os.environ if environ is None else environ
    start = Path(start_dir).resolve()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
    user = user_config_path(environ)
    return user if user is not None and user.is_file() else None


def user_config_path(environ: Mapping[str, str]) -> Path | None:
    base = environ.get("XDG_CONFIG_HOME")
    if base:
        return Path(base) / "lumen" / CONFIG_FILE
    home = environ.get("HOME")
    return Path(home) / ".config" / "lumen" / CONFIG_FILE if home else None


def load_config(start_dir: str | Path, explicit_path: str | Path | None = None, *,
                environ: Mapping[str, str] | None = None,
                overrides: Overrides | None = None) -> Config:
    """The effective configuration (raises `ConfigError`)."""
    environ = os.environ if environ is None else environ
    chosen = explicit_path or environ.get(ENV_CONFIG) or None
    if chosen is not None:
        path: Path | None = Path(chosen)
        if not path.is_file():
            source = "--config" if explicit_path else ENV_CONFIG
            raise ConfigError(str(chosen), 0, 0, f"configuration file not found: {chosen}",
                              f"{source} names a file that does not exist")
    else:
        path = find_config(start_dir, environ)
    config = Config()
    if path is not None:
        config = parse_config(path.read_text(encoding="utf-8"), str(path))
    apply_overrides(config, environ.get(ENV_PROVIDERS, ""), environ.get(ENV_SET, ""),
                    f"environment variable {ENV_PROVIDERS}", f"environment variable {ENV_SET}")
    if overrides is not None:
        apply_overrides(config, overrides.providers, overrides.settings,
                        "--provider", "--set")
    return config


def parse_config(text: str, file: str) -> Config:
    """Parse and validate one lumen.toml text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _decode_position(str(exc))
        raise ConfigError(file, line, column, f"invalid TOML: {_decode_reason(str(exc))}",
                          "see https://toml.io for the syntax") from None
    return _Validator(file, KeyLocator(text)).config(data)


def _decode_position(message: str) -> tuple[int, int]:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _decode_reason(message: str) -> str:
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)


class _Validator:
    def __init__(self, file: str, locator: KeyLocator) -> None:
        self.file = file
        self.locator = locator

    def error(self, path: tuple[str, ...], message: str, hint: str | None = None, *,
              secret: bool = False) -> ConfigError:
        line, column = self.locator.find(path)
        return ConfigError(self.file, line, column, message, hint,
                           width=self.locator.width(path), secret=secret)

    def table(self, value: Any, path: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, f"'{_dotted(path)}' must be a table")
        return value

    def known(self, table: Mapping[str, Any], path: tuple[str, ...],
              keys: frozenset[str] | Mapping[str, str]) -> None:
        for key in table:
            if key not in keys:
                where = f"[{_dotted(path)}]" if path else "lumen.toml"
                raise self.error((*path, key), f"unknown key '{key}' in {where}",
                                 f"known keys: {', '.join(sorted(keys))}")

    def config(self, data: dict[str, Any]) -> Config:
        self.known(data, (), TOP_LEVEL_TABLES)
        config = Config(path=self.file)
        project = self.table(data.get("project", {}), ("project",))
        self.known(project, ("project",), PROJECT_KEYS)
        config.project = dict(project)
        trace = self.table(data.get("trace", {}), ("trace",))
        self.known(trace, ("trace",), TRACE_KEYS)
        if "dir" in trace:
            config.trace_dir = self.string(trace["dir"], ("trace", "dir"))
        if "max_call_events" in trace:
            limit = trace["max_call_events"]
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise self.error(("trace", "max_call_events"),
                                 "'trace.max_call_events' must be a non-negative integer")
            config.max_call_events = limit
        cache = self.table(data.get("cache", {}), ("cache",))
        self.known(cache, ("cache",), CACHE_KEYS)
        config.cache = dict(cache)
        budget = self.table(data.get("budget", {}), ("budget",))
        self.known(budget, ("budget",), BUDGET_KEYS)
        for key, value in budget.items():
            problem = budget_problem(key, value)
            if problem is not None:
                raise self.error(("budget", key), problem)
        config.budget = dict(budget)
        self.providers(self.table(data.get("providers", {}), ("providers",)), config)
        return config

    def string(self, value: Any, path: tuple[str, ...]) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"'{_dotted(path)}' must be a string")
        return value

    def providers(self, table: dict[str, Any], config: Config) -> None:
        for key, value in table.items():
            path = ("providers", key)
            if key == "config":
                for name, settings in self.table(value, path).items():
                    config.provider_settings[name] = self.settings(
                        self.table(settings, (*path, name)), (*path, name))
            elif key == "mcp":
                for name, server in self.table(value, path).items():
                    config.mcp_servers[name] = self.mcp(self.table(server, (*path, name)),
                                                        (*path, name))
            elif isinstance(value, str):
                config.providers[key] = value
            else:
                raise self.error(path, f"provider of tool '{key}' must be a string (a "
                                       "provider name)",
                                 f"write \"{key}\" = \"PROVIDER\" under [providers]")

    def settings(self, table: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        for key, value in table.items():
            if key.lower() in SECRET_KEYS:
                raise self.error((*path, key), f"secret '{key}' must not be written in "
                                               "lumen.toml",
                                 "put the key in an environment variable and name that "
                                 "variable with api_key_env = \"VAR\"", secret=True)
            if key in STRING_SETTINGS:
                self.string(value, (*path, key))
            if key in PRICE_SETTINGS and (isinstance(value, bool)
                                          or not isinstance(value, int | float) or value < 0):
                raise self.error((*path, key), f"'{_dotted((*path, key))}' must be a "
                                               "non-negative number (price per 1000 tokens)")
            if key == "retry":
                self.retry(self.table(value, (*path, key)), (*path, key))
        return table

    def retry(self, table: dict[str, Any], path: tuple[str, ...]) -> None:
        try:
            from lumen.runtime.retry import RETRY_KEYS, RetryConfigError, RetryPolicy
        except ImportError:  # a build without the retry module: nothing more to check
            return
        self.known(table, path, RETRY_KEYS)
        try:
            RetryPolicy.from_settings(table)
        except RetryConfigError as exc:
            match = re.search(r"retry\.(\w+)", str(exc))
            key_path = (*path, match.group(1)) if match else path
            raise self.error(key_path, str(exc)) from None

    def mcp(self, table: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        self.known(table, path, MCP_KEYS)
        if "uri" not in table:
            raise self.error(path, f"[{_dotted(path)}] needs 'uri' (a URL or the command "
                                   "line that starts the server)")
        self.string(table["uri"], (*path, "uri"))
        tools = table.get("tools", [])
        if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
            raise self.error((*path, "tools"), f"'{_dotted((*path, 'tools'))}' must be a list "
                                               "of tool ids")
        if "api_key_env" in table:
            self.string(table["api_key_env"], (*path, "api_key_env"))
        headers = self.table(table.get("headers", {}), (*path, "headers"))
        for name, value in headers.items():
            where = (*path, "headers", name)
            if name.lower() in SECRET_HEADERS or name.lower() in SECRET_KEYS:
                raise self.error(where, f"secret header '{name}' must not be written in "
                                        "lumen.toml",
                                 "put the token in an environment variable and name it with "
                                 "api_key_env = \"VAR\" (sent as a bearer token)", secret=True)
            self.string(value, where)
        return table



# ------------------------------------------------------------------------------ overrides


def apply_overrides(config: Config, providers: str | tuple[str, ...],
                    settings: str | tuple[str, ...], providers_source: str,
                    settings_source: str) -> None:
    """Apply `TOOL=PROVIDER` and `PROVIDER.KEY=VALUE` items (a `;`-separated string from
    the environment, or a tuple of items from the command line)."""
    for item in _items(providers):
        tool, _, provider = item.partition("=")
        if not tool.strip() or not provider.strip():
            raise ConfigError(providers_source, 0, 0,
                              f"'{_redact(item)}' is not TOOL_ID=PROVIDER")
        config.providers[tool.strip()] = provider.strip()
    for item in _items(settings):
        target, _, raw = item.partition("=")
        provider, _, key = target.strip().rpartition(".")
        if not provider or not key:
            raise ConfigError(settings_source, 0, 0,
                              f"'{_redact(item)}' is not PROVIDER.KEY=VALUE")
        if key.lower() in SECRET_KEYS:
            raise ConfigError(settings_source, 0, 0,
                              f"secret '{key}' must not be given on {settings_source}",
                              "name the environment variable with api_key_env instead")
        if provider == BUDGET_TABLE:
            _set_budget(config, key, _value(raw.strip()), settings_source)
            continue
        config.provider_settings.setdefault(provider, {})[key] = _value(raw.strip())


def budget_problem(key: str, value: Any) -> str | None:
    """Why a `[budget]` value is invalid, or None."""
    if key == "max_tokens" and (isinstance(value, bool) or not isinstance(value, int)
                                or value < 0):
        return "'budget.max_tokens' must be a non-negative integer (tokens in and out)"
    return None


def _set_budget(config: Config, key: str, value: Any, source: str) -> None:
    if key not in BUDGET_KEYS:
        raise ConfigError(source, 0, 0, f"unknown budget '{key}'",
                          f"known budgets: {', '.join(sorted(BUDGET_KEYS))}")
    problem = budget_problem(key, value)
    if problem is not None:
        raise ConfigError(source, 0, 0, problem)
    config.budget[key] = value


def _items(raw: str | tuple[str, ...]) -> list[str]:
    parts = raw.split(";") if isinstance(raw, str) else list(raw)
    return [p.strip() for p in parts if p.strip()]


def _redact(item: str) -> str:
    """An override item without its value (values may be secrets)."""
    name, sep, _ = item.partition("=")
    return f"{name}{sep}…" if sep else name


def _value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(_quote_key(p) for p in path)


def _quote_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


# ------------------------------------------------------------------------------ positions


class KeyLocator:
    """Where each key of a TOML text is written (tomllib keeps no positions).

    Tracks table headers (`[a.b]`, `[[a]]`) and `key = …` lines with bare, quoted and
    dotted keys; lines inside multi-line strings and arrays are skipped. A key written
    inside an inline table is found at the line of the key that holds the table."""

    def __init__(self, text: str) -> None:
        self.positions: dict[tuple[str, ...], tuple[int, int]] = {}
        self.widths: dict[tuple[str, ...], int] = {}  # the key (or header) as written
        self._scan(text)

    def width(self, path: tuple[str, ...]) -> int:
        """How many columns the key of `find(path)` takes (1 when unknown)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.positions:
                return self.widths.get(path[:end], 1)
        return 1

    def find(self, path: tuple[str, ...]) -> tuple[int, int]:
        """The position of `path`, else of its longest written prefix, else (0, 0)."""
        for end in range(len(path), 0, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return (0, 0)

    def _scan(self, text: str) -> None:
        table: tuple[str, ...] = ()
        depth = 0  # open brackets of a multi-line array
        in_string: str | None = None  # the delimiter of an open multi-line string
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if in_string in line:
                    in_string = None
                continue
            if depth > 0:
                depth = max(0, depth + _bracket_balance(line))
                continue
            stripped = line.lstrip()
            column = len(line) - len(stripped) + 1
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("["):
                header = stripped.lstrip("[")
                keys, rest = _parse_key(header)
                if keys:
                    table = tuple(keys)
                    written = header[:len(header) - len(rest)].strip()
                    start = column + len(stripped) - len(header.lstrip())
                    for end in range(1, len(keys) + 1):  # `[a.b]` also places `a`
                        if table[:end] not in self.positions:
                            self.positions[table[:end]] = (number, start)
                            self.widths[table[:end]] = len(written)
                continue
            keys, rest = _parse_key(stripped)
            if not keys or not rest.lstrip().startswith("="):
                continue
            if (*table, *keys) not in self.positions:
                self.positions[(*table, *keys)] = (number, column)
                self.widths[(*table, *keys)] = len(stripped[:len(stripped) - len(rest)].rstrip())
            value = rest.lstrip()[1:]
            for delimiter in ('"""', "'''"):
                if value.count(delimiter) % 2 == 1:
                    in_string = delimiter
            if in_string is None:
                depth = max(0, _bracket_balance(value))


def _parse_key(text: str) -> tuple[list[str], str]:
    """Split a (dotted, possibly quoted) key off the front of `text`."""
    keys: list[str] = []
    rest = text
    while True:
        rest = rest.lstrip()
        match = re.match(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', rest)
        if match is None:
            return keys, rest
        keys.append(next(g for g in match.groups() if g is not None))
        rest = rest[match.end():].lstrip()
        if not rest.startswith("."):
            return keys, rest
        rest = rest[1:]


def _bracket_balance(text: str) -> int:
    """Opening minus closing square brackets outside strings and comments."""
    balance = 0
    quote: str | None = None
    for char in text:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char == "[":
            balance += 1
        elif char == "]":
            balance -= 1
    return balance
