"""Which provider answers a tool id (LANGUAGE.md §12.5).

Lookup order for a tool id:
1. `[providers]` of the configuration (exact id, or an MCP server's listed tools), then a
   wildcard entry `"PREFIX.*"`;
2. an MCP server: `mcp:URI.TOOL` (declared in the program with `use tool mcp "URI"`), or
   one named like the id's first segment (`[providers.mcp.SERVER]` without a `tools` list
   serves every `SERVER.*` id);
3. the built-in ids (`fs.*`, `env.*`, `http.*`, `json`, `crypto.*`), which need no
   configuration.

A provider name is resolved among the built-ins first, then among the Python entry points of
the group `lumen.providers` (an entry point loads a Provider instance, or a class or factory
called with no arguments). An unmapped id is `no provider configured for tool ID`; a name
that no one provides is `provider not registered: NAME`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import metadata
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult, no_provider
from lumen.runtime.config import Config
from lumen.runtime.providers.auto import AutoProvider
from lumen.runtime.providers.base import Provider, execution_failed, unavailable
from lumen.runtime.providers.crypto import CryptoProvider
from lumen.runtime.providers.env import EnvProvider
from lumen.runtime.providers.fs import FsProvider
from lumen.runtime.providers.http import HttpProvider
from lumen.runtime.providers.json_tool import JsonProvider
from lumen.runtime.providers.mcp import McpProvider
from lumen.runtime.providers.ollama import OllamaProvider
from lumen.runtime.providers.openai_compatible import OpenAICompatibleProvider

ENTRY_POINT_GROUP = "lumen.providers"

BUILTIN_TOOL_IDS: tuple[str, ...] = (
    "fs.read", "fs.write", "fs.exists", "fs.list", "fs.mkdir", "fs.remove",
    "env.get", "env.set", "env.list", "env.has", "env.cwd", "env.home", "env.platform",
    "env.args",
    "http.get", "http.post", "http.put", "http.delete",
    "json", "json.parse", "json.stringify",
    "crypto.sha256", "crypto.sha512", "crypto.md5", "crypto.base64_encode",
    "crypto.base64_decode", "crypto.uuid", "crypto.random_int", "crypto.hmac_sha256",
)
_BUILTIN_PROVIDER_OF_PREFIX = {"fs": "fs", "env": "env", "http": "http", "json": "json",
                               "crypto": "crypto"}


def _secret_names(config: Config) -> list[str]:
    return sorted({str(s["api_key_env"]) for s in config.provider_settings.values()
                   if isinstance(s, dict) and s.get("api_key_env")})


def _auto(config: Config) -> Provider:
    return AutoProvider([(OllamaProvider(), config.settings("ollama")),
                         (OpenAICompatibleProvider(), config.settings("openai-compatible"))])


_BUILTINS: dict[str, Callable[[Config], Provider]] = {
    "fs": lambda config: FsProvider(),
    "env": lambda config: EnvProvider(_secret_names(config)),
    "json": lambda config: JsonProvider(),
    "crypto": lambda config: CryptoProvider(),
    "http": lambda config: HttpProvider(),
    "openai-compatible": lambda config: OpenAICompatibleProvider(),
    "ollama": lambda config: OllamaProvider(),
    "auto": _auto,
    "mcp": lambda config: McpProvider(config.mcp_servers),
}
# Other spellings of the built-in names (`builtin-http` is the form §12.5 shows).
_ALIASES = {f"builtin-{name}": name for name in ("fs", "env", "json", "crypto", "http")}
_ALIASES.update({"openai": "openai-compatible", "openai_compatible": "openai-compatible"})


def provider_name_for(tool_id: str, config: Config) -> str | None:
    """The provider name that serves `tool_id`, None when nothing does."""
    name = config.provider_name(tool_id)
    if name is not None:
        return name
    if tool_id.startswith("mcp:"):  # `use tool mcp "URI" as A`: the server is in the id
        return "mcp"
    segments = tool_id.split(".")
    for cut in range(len(segments) - 1, 0, -1):
        wildcard = config.providers.get(".".join(segments[:cut]) + ".*")
        if wildcard is not None:
            return wildcard
    server = config.mcp_servers.get(segments[0])
    if server is not None and len(segments) > 1 and not server.get("tools"):
        return "mcp"
    if tool_id in BUILTIN_TOOL_IDS:
        return _BUILTIN_PROVIDER_OF_PREFIX[segments[0]]
    return None


def provider_for(tool_id: str, config: Config) -> Provider:
    """The provider that answers `tool_id`; raises ToolError when there is none."""
    name = provider_name_for(tool_id, config)
    if name is None:
        raise no_provider(tool_id)
    return provider_named(name, config)


def provider_named(name: str, config: Config) -> Provider:
    builtin = _BUILTINS.get(_ALIASES.get(name, name))
    if builtin is not None:
        provider = builtin(config)
        # Keep the name as configured so `[providers.config.builtin-http]` is its settings.
        provider.name = name
        return provider
    entry_point = _entry_points().get(name)
    if entry_point is None:
        known = ", ".join(sorted(_BUILTINS) + sorted(_entry_points()))
        raise ToolError("NotFound", f"provider not registered: {name}",
                        f"known providers: {known}; third-party providers register the "
                        f"entry point group '{ENTRY_POINT_GROUP}'")
    return _load_entry_point(name, entry_point)


def provider_names() -> list[str]:
    """Every provider name that can be configured: built-ins, then entry points."""
    return sorted(_BUILTINS) + sorted(n for n in _entry_points() if n not in _BUILTINS)


@functools.cache
def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def refresh_entry_points() -> None:
    """Forget the cached entry points (after installing a provider package in-process)."""
    _entry_points.cache_clear()


def _load_entry_point(name: str, entry_point: metadata.EntryPoint) -> Provider:
    try:
        loaded: Any = entry_point.load()
        provider = loaded if hasattr(loaded, "call") and not isinstance(loaded, type) \
            else loaded()
    except Exception as error:  # third-party code: any failure is the provider's
        raise unavailable(name, f"cannot load entry point {entry_point.value}: "
                          f"{type(error).__name__}: {error}") from None
    if not callable(getattr(provider, "call", None)):
        raise unavailable(name, f"entry point {entry_point.value} is not a provider "
                          "(it has no call(call, settings) method)")
    if not isinstance(getattr(provider, "name", None), str):
        provider.name = name
    return GuardedProvider(provider)


class GuardedProvider:
    """A third-party provider whose unexpected exceptions become `ExecutionFailed`, so a
    plugin bug shows as a Lumen runtime error instead of a Python traceback."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name: str = inner.name

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        try:
            answer = self.inner.call(call, settings)
        except ToolError:
            raise
        except Exception as error:  # third-party code: any failure is the provider's
            raise execution_failed(f"provider {self.name} failed: "
                                   f"{type(error).__name__}: {error}") from None
        if not isinstance(answer, ToolResult):
            raise execution_failed(f"provider {self.name} returned "
                                   f"{type(answer).__name__}, not a ToolResult")
        return answer
