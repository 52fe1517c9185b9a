"""Runtime grant checks (LANGUAGE.md §12.3): the merged policy of an alias against the
argument map of one call, before every dispatch.

Each violated key gives the exact reason text of the reference; the error is
`policy violation for 'ALIAS': REASON` (the VM prefixes `tool call error: `).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from lumen.runtime.calls import policy_violation

# Keys that only matter to the static check (§11.2).
STATIC_ONLY_KEYS = frozenset({"effect", "effects"})
# Keys with a meaning for every tool: §12.3's own, and the result cache's opt-in.
UNIVERSAL_KEYS = STATIC_ONLY_KEYS | {"domain", "timeout_ms", "cache"}


def check_policy(alias: str, policy: dict[str, Any], args: dict[str, Any]) -> None:
    """Raise `ToolError("PolicyViolation", …)` for the first constraint the call breaks
    (constraints in the policy's order, i.e. the order the grants set them)."""
    for key, allowed in policy.items():
        reason = violation(key, allowed, args)
        if reason is not None:
            raise policy_violation(alias, reason, key)


def unknown_grant_key(policy: dict[str, Any], provider_keys: Iterable[str]) -> str | None:
    """The first policy key that is neither one of §12.3's own kinds nor a custom key the
    provider declares (None when every key is understood)."""
    known = set(provider_keys)
    for key in policy:
        if key in known or key in UNIVERSAL_KEYS or key.startswith("max_"):
            continue
        return key
    return None


def violation(key: str, allowed: Any, args: dict[str, Any]) -> str | None:
    """Why `args` breaks the constraint `key allowed`, or None when it does not."""
    if key in STATIC_ONLY_KEYS:
        return None
    if key == "domain":
        return _domain_violation(allowed, args)
    if key == "timeout_ms" or key.startswith("max_"):
        return _limit_violation(key, allowed, args)
    if key not in args:
        return None
    value = args[key]
    if _json_equal(value, allowed):
        return None
    return f"argument '{key}' value {show(value)} violates required {show(allowed)}"


def _domain_violation(pattern: Any, args: dict[str, Any]) -> str | None:
    url = args.get("url")
    if not isinstance(url, str):
        return "domain policy requires string 'url' argument"
    patterns = pattern if isinstance(pattern, list) else [pattern]
    host = url_host(url)
    if any(isinstance(p, str) and host_matches(host, p) for p in patterns):
        return None
    shown = pattern if isinstance(pattern, str) else show(pattern)
    return f"domain '{shown}' does not allow '{url}'"


def url_host(url: str) -> str:
    """The text after `scheme://` up to the first `/`, then up to the first `:`."""
    rest = url.split("://", 1)[1] if "://" in url else url
    return rest.split("/", 1)[0].split(":", 1)[0].lower()


def host_matches(host: str, pattern: str) -> bool:
    pattern = pattern.lower()
    if pattern.startswith("*."):
        suffix = pattern[2:]
        return host == suffix or host.endswith("." + suffix)
    return host == pattern


def _limit_violation(key: str, limit: Any, args: dict[str, Any]) -> str | None:
    value = args.get(key)
    if not _is_number(value) or not _is_number(limit):
        return None  # the call does not pass it (or not as a number): nothing to exceed
    if key.startswith("max_") and (type(value) is not int or type(limit) is not int):
        return None  # §12.3: `max_*` compares Ints
    if value > limit:
        return f"{key} {show(value)} exceeds allowed {show(limit)}"
    return None


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _json_equal(a: Any, b: Any) -> bool:
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    return bool(a == b)


def show(value: Any) -> str:
    """A value in a policy message: strings as they are, everything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
