"""Files, environment, processes and network (§10.15): host capabilities, no grants.

HTTP is implemented with urllib (a transport failure gives the error map with status 0);
raw sockets (`tcp_*`, `udp_*`) are not supported and return the §10.15 error map.
"""

from __future__ import annotations

import glob as glob_module
import os
import posixpath

from lumen.vm.builtins.common import text
from lumen.vm.builtins.registry import builtin
from lumen.vm.errors import LumenRuntimeError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HTTP_TIMEOUT_SECONDS = 30
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")


def _failure(builtin_name: str, error: OSError) -> LumenRuntimeError:
    reason = error.strerror or str(error)
    where = f": {error.filename}" if error.filename else ""
    return LumenRuntimeError("tools", f"{builtin_name} failed: {reason}{where}")


@builtin("read_file")
def read_file(path: Any = None) -> str:
    try:
        with open(text(path), encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise _failure("read_file", error) from None
    except UnicodeDecodeError as error:
        raise LumenRuntimeError("tools", f"read_file failed: invalid UTF-8: {error}") from None


@builtin("write_file")
def write_file(path: Any = None, content: Any = None) -> None:
    try:
        with open(text(path), "w", encoding="utf-8") as handle:
            handle.write(text(content))
    except OSError as error:
        raise _failure("write_file", error) from None


@builtin("read_lines")
def read_lines(path: Any = None) -> list[str]:
    try:
        with open(text(path), encoding="utf-8") as handle:
            return handle.read().splitlines()
    except OSError as error:
        raise _failure("read_lines", error) from None


@builtin("read_dir")
def read_dir(path: Any = None) -> list[str]:
    try:
        return sorted(os.listdir(text(path)))
    except OSError as error:
        raise _failure("read_dir", error) from None


@builtin("walk_dir")
def walk_dir(path: Any = None) -> list[str]:
    root = text(path)
    found: list[str] = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(subdirectories) + sorted(files):
            found.append(posixpath.join(directory, name))
    return found


@builtin("glob")
def glob(pattern: Any = None) -> list[str]:
    return sorted(glob_module.glob(text(pattern), recursive=True))


@builtin("exists")
def exists(path: Any = None) -> bool:
    return os.path.exists(text(path))


@builtin("mkdir")
def mkdir(path: Any = None) -> None:
    try:
        os.makedirs(text(path), exist_ok=True)
    except OSError as error:
        raise _failure("mkdir", error) from None


@builtin("path_join")
def path_join(a: Any = None, b: Any = None) -> str:
    return posixpath.join(text(a), text(b))


@builtin("path_parent")
def path_parent(p: Any = None) -> str:
    return posixpath.dirname(text(p).rstrip("/") or "/") if text(p) else ""


def _split_extension(filename: str) -> tuple[str, str]:
    """(stem, extension) like Rust's Path: `.bashrc` has no extension."""
    dot = filename.rfind(".")
    if dot <= 0:
        return filename, ""
    return filename[:dot], filename[dot + 1 :]


@builtin("path_filename")
def path_filename(p: Any = None) -> str:
    return posixpath.basename(text(p).rstrip("/"))


@builtin("path_extension")
def path_extension(p: Any = None) -> str:
    return _split_extension(path_filename(p))[1]


@builtin("path_stem")
def path_stem(p: Any = None) -> str:
    return _split_extension(path_filename(p))[0]


@builtin("exec")
def exec_(cmd: Any = None) -> dict[str, Any]:
    try:
        import subprocess  # imported on use: start-up time

        completed = subprocess.run(
            ["sh", "-c", text(cmd)], capture_output=True, text=True, errors="replace"
        )
    except OSError as error:
        return {"stdout": "", "stderr": str(error), "status": -1}
    status = completed.returncode if completed.returncode >= 0 else -1
    return {"stdout": completed.stdout, "stderr": completed.stderr, "status": status}


@builtin("get_env")
def get_env(name: Any = None) -> str | None:
    return os.environ.get(text(name))


@builtin("set_env")
def set_env(name: Any = None, value: Any = None) -> None:
    os.environ[text(name)] = text(value)


@builtin("env_vars")
def env_vars() -> dict[str, str]:
    return dict(os.environ)


# --- network -------------------------------------------------------------------------------


def _http(method: str, url: str, body: str | None, headers: dict[str, str]) -> dict[str, Any]:
    if method not in HTTP_METHODS:
        return {"ok": False, "status": 0, "body": "", "error": f"unknown method: {method}"}
    data = body.encode("utf-8") if body else None
    import urllib.error  # imported on use: urllib.request pulls in ssl (~80 ms)
    import urllib.request

    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            status = response.status
            payload = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        status = error.code
        payload = error.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return {"ok": False, "status": 0, "body": "", "error": str(reason)}
    return {"ok": 200 <= status < 300, "status": status, "body": payload}


_JSON_HEADERS = {"Content-Type": "application/json"}


@builtin("http_get")
def http_get(url: Any = None) -> dict[str, Any]:
    return _http("GET", text(url), None, {})


@builtin("http_delete")
def http_delete(url: Any = None) -> dict[str, Any]:
    return _http("DELETE", text(url), None, {})


def _body_text(body: Any) -> str:
    """A string body is sent as is; any other value is encoded as JSON (`to_json`)."""
    if type(body) is str:
        return body
    from lumen.vm.builtins.data_formats import to_json

    return to_json(body)


@builtin("http_post")
def http_post(url: Any = None, body: Any = None) -> dict[str, Any]:
    return _http("POST", text(url), _body_text(body), dict(_JSON_HEADERS))


@builtin("http_put")
def http_put(url: Any = None, body: Any = None) -> dict[str, Any]:
    return _http("PUT", text(url), _body_text(body), dict(_JSON_HEADERS))


@builtin("http_request")
def http_request(
    method: Any = None, url: Any = None, body: Any = None, headers: Any = None
) -> dict[str, Any]:
    header_map = (
        {k: text(v) for k, v in headers.items()} if type(headers) is dict else {}
    )
    payload = "" if body is None else text(body)
    return _http(text(method).upper(), text(url), payload, header_map)


def _unsupported(name: str) -> None:
    def socket_operation(*_args: Any) -> dict[str, Any]:
        return {"ok": False, "error": f"{name} is not supported by this implementation"}

    socket_operation.__name__ = name
    builtin(name)(socket_operation)


for _name in (
    "tcp_connect", "tcp_listen", "udp_bind", "tcp_send", "tcp_recv", "tcp_close",
    "udp_send", "udp_recv",
):
    _unsupported(_name)
