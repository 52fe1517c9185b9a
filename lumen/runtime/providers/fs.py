"""Built-in `fs.*` tools: read, write, exists, list, mkdir, remove under an allowed root.

The root is `root` in `[providers.config.fs]` (default: the current directory); a grant's
`root` key may narrow it to a folder inside, never widen it, and no call argument moves it. A path (relative to the root, or absolute) that resolves outside the root (also
through `..` or a symbolic link) is a policy violation, never a silent redirect.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from lumen.runtime.calls import ToolCall, ToolError, ToolResult
from lumen.runtime.providers.base import (
    execution_failed,
    invalid_args,
    result,
    string_argument,
)

NAME = "fs"
OPERATIONS = ("read", "write", "exists", "list", "mkdir", "remove")


class FsProvider:
    name = NAME

    def call(self, call: ToolCall, settings: dict[str, Any]) -> ToolResult:
        started = time.monotonic()
        operation = call.tool_id.removeprefix("fs.")
        if operation not in OPERATIONS:
            raise ToolError("NotFound", f"tool not found: {call.tool_id}")
        root = _allowed_root(call, settings)
        raw_path = string_argument(call, "path", 0)
        assert raw_path is not None
        if "\x00" in raw_path:
            raise invalid_args("a path must not contain a NUL character")
        path = _inside_root(call, root, raw_path)
        try:
            value = _perform(call, operation, path, root)
        except OSError as error:
            raise execution_failed(f"{call.tool_id} {raw_path}: {error.strerror or error}") \
                from None
        return result(call, self.name, value, started)


def _allowed_root(call: ToolCall, settings: dict[str, Any]) -> Path:
    """`root` of lumen.toml (default: the current directory) is the ceiling; a grant's
    `root` may narrow it. A call argument never moves it."""
    ceiling = Path(str(settings.get("root") or ".")).resolve()
    granted = call.policy.get("root")
    if granted is None:
        return ceiling
    return _inside_root(call, ceiling, str(granted))


def _inside_root(call: ToolCall, root: Path, raw_path: str) -> Path:
    path = (root / raw_path).resolve()
    if path != root and root not in path.parents:
        raise ToolError(
            "PolicyViolation",
            f"policy violation for '{call.alias}': path '{raw_path}' is outside the allowed "
            f"root '{root}'",
            "grant the tool another root (grant ALIAS root \"DIR\") or use a path inside it",
        )
    return path


def _perform(call: ToolCall, operation: str, path: Path, root: Path) -> Any:
    if operation == "read":
        return path.read_text(encoding="utf-8", errors="replace")
    if operation == "write":
        content = call.args.get("content", call.args.get("arg1"))
        if not isinstance(content, str):
            raise invalid_args("fs.write needs a string argument 'content'")
        path.parent.mkdir(parents=True, exist_ok=True)
        if call.args.get("append") is True:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(content)
        else:
            path.write_text(content, encoding="utf-8")
        return {"path": str(path.relative_to(root)), "bytes": len(content.encode("utf-8"))}
    if operation == "exists":
        return path.exists()
    if operation == "list":
        return sorted(child.name for child in path.iterdir())
    if operation == "mkdir":
        path.mkdir(parents=True, exist_ok=True)
        return True
    if not path.exists():
        return False
    if path == root:
        raise invalid_args("fs.remove refuses to remove the allowed root itself")
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    return True
