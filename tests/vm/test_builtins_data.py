"""Data formats, encodings, integrity helpers, host builtins, time/random and the registry
(§10.11-§10.16)."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path
from typing import Any

import pytest

from lumen.vm.builtins import BUILTINS, lookup
from lumen.vm.builtins.registry import all_builtins
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.values import LSet, Record, Variant, err, ok


class FakeContext:
    program_args: list[str] = []

    def __init__(self, seed: int = 3) -> None:
        self.rng = random.Random(seed)

    def call(self, fn_value: Any, args: list[Any]) -> Any:
        return fn_value(*args)

    def write_stdout(self, text: str) -> None:
        pass

    def write_stderr(self, text: str) -> None:
        pass

    def read_stdin_line(self) -> str:
        return ""


def call(name: str, *args: Any, ctx: FakeContext | None = None) -> Any:
    spec = lookup(name)
    assert spec is not None, name
    if spec.needs_context:
        return spec.fn(ctx or FakeContext(), *args)
    return spec.fn(*args)


POINT = Record("Point", {"y": 2, "x": 1})

CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    # JSON
    ("json_parse", ('{"a": [1, 2.5, true, null, "s"]}',), {"a": [1, 2.5, True, None, "s"]}),
    ("parse_json", ("3",), 3), ("json_parse", ("1e2",), 100.0),
    ("json_parse", ("123456789012345678901234",), 1.2345678901234568e23),
    ("json_parse", ("{bad",), None), ("json_parse", ("NaN",), None), ("json_parse", (5,), None),
    ("to_json", ({"b": [1, 2.0], "a": None},), '{"a":null,"b":[1,2.0]}'),
    ("json_encode", ((1, LSet([2])),), "[1,[2]]"),
    ("json_stringify", (POINT,), '{"__type":"Point","x":1,"y":2}'),
    ("to_json", (Variant("S", "Rect", (1.0, 2.0)),), '{"__payload":[1.0,2.0],"__tag":"Rect"}'),
    ("to_json", (ok(5),), '{"__payload":5,"__tag":"ok"}'),
    ("to_json", (b"\x0a",), '"0a"'), ("to_json", (math.nan,), "null"), ("to_json", ("é",), '"é"'),
    ("json_pretty", ({"a": [1]},), '{\n  "a": [\n    1\n  ]\n}'),
    # CSV
    ("csv_parse", ('a,b\n\n"x, y","say ""hi"""\n',), [["a", "b"], ["x, y", 'say "hi"']]),
    ("csv_encode", ([["a", "b,c"], [1, 'q"']],), 'a,"b,c"\n1,"q"""'),
    # TOML
    ("toml_parse", ('title = "x"\n[owner]\nname = "Ada"\nn = [1, 2]\n',),
     {"title": "x", "owner": {"name": "Ada", "n": [1, 2]}}),
    ("toml_parse", ("= broken",), None),
    ("toml_encode", ({"title": "x", "owner": {"name": "Ada"}, "n": 1.5},),
     'n = 1.5\ntitle = "x"\n\n[owner]\nname = "Ada"\n'),
    # encodings
    ("base64_encode", ("hello",), "aGVsbG8="), ("base64_decode", ("aGVsbG8=",), "hello"),
    ("base64_decode", ("!!",), None), ("base64_encode", (b"\x00",), "AA=="),
    ("hex_encode", ("Hi",), "4869"), ("hex_decode", ("4869",), "Hi"), ("hex_decode", ("486",), None),
    ("hex_decode", ("zz",), None), ("hex_decode", ("ff",), "\ufffd"),
    ("url_encode", ("a b&c/é~",), "a%20b%26c%2F%C3%A9~"), ("url_decode", ("a+b%20c%C3%A9",), "a b cé"),
    ("sha256", ("abc",), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("hash", (123,), "sha256:a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"),
    ("bytes_from_ascii", ("hé",), b"h\xc3\xa9"), ("bytes_to_ascii", (b"hi",), "hi"),
    ("bytes_to_ascii", (b"\xff",), None), ("bytes_len", (b"abc",), 3),
    ("bytes_slice", (b"abcdef", 1, 3), b"bc"), ("bytes_slice", (b"abcdef", 4, 0), b"ef"),
    ("bytes_concat", (b"a", b"b"), b"ab"), ("bytes_concat", (b"a", "b"), None),
    # integrity
    ("diff", (1, 1), []), ("diff", (1, 2), [{"from": 1, "to": 2}]),
    ("diff", ({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}),
     [{"key": "b", "from": 2, "to": 3}, {"key": "c", "added": 4}]),
    ("diff", (Record("P", {"x": 1, "y": 2}), Record("P", {"x": 5, "y": 2})),
     [{"field": "x", "from": 1, "to": 5}]),
    ("diff", ({"a": 1}, {}), [{"key": "a", "removed": 1}]),
    ("patch", ({"a": 1, "b": 2}, [{"key": "b", "to": 3}, {"key": "a", "removed": 1},
                                  {"key": "c", "added": 4}]), {"b": 3, "c": 4}),
    ("patch", (1, [{"from": 1, "to": 2}]), 2),
    ("patch", (Record("P", {"x": 1}), [{"field": "x", "from": 1, "to": 5}]), Record("P", {"x": 5})),
    ("redact", ({"user": "a", "pw": "s"}, ["pw"]), {"user": "a", "pw": None}),
    ("redact", (Record("U", {"pw": "s"}), ["pw"]), Record("U", {"pw": None})),
    ("validate", (None,), False), ("validate", (0,), True),
    ("validate", (1, "Int"), True), ("validate", (1, "Float"), False), ("validate", (1.0, "float"), True),
    ("validate", (None, "Any"), True), ("validate", ([1], "List"), True), ("validate", (1, "Nope"), False),
    ("validate", ({"a": 1, "b": "x"}, {"a": "Int", "b": "String"}), True),
    ("validate", ({"a": 1}, {"a": "Int", "b": "String"}), False),
    ("validate", ({"a": {"c": 1.5}}, {"a": {"c": "Float"}}), True), ("validate", (1, 5), False),
    # paths
    ("path_join", ("a/b", "c.txt"), "a/b/c.txt"), ("path_parent", ("a/b/c.txt",), "a/b"),
    ("path_parent", ("c.txt",), ""), ("path_extension", ("a/b.tar.gz",), "gz"),
    ("path_extension", ("a/.bashrc",), ""), ("path_filename", ("a/b.txt",), "b.txt"),
    ("path_stem", ("a/b.tar.gz",), "b.tar"), ("path_extension", ("noext",), ""),
    # time
    ("format_time", (0,), "1970-01-01T00:00:00Z"), ("format_time", (1.5,), "1970-01-01T00:00:01.500Z"),
    ("format_time", (86400 * 365, "%Y/%m/%d %H:%M:%S"), "1971/01/01 00:00:00"),
    ("format_time", ("x",), None),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_builtin(name: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(name, *args)
    assert type(result) is type(expected)
    assert result == expected


def test_toml_round_trip_with_nested_tables_and_arrays() -> None:
    document = {"a": {"b": {"c": 1}}, "items": [{"n": 1}, {"n": 2}], "list": [1, 2], "s": "q\"x"}
    assert call("toml_parse", call("toml_encode", document)) == document


def test_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    assert call("mkdir", str(tmp_path / "sub")) is None
    assert call("write_file", str(target), "one\ntwo\n") is None
    assert call("read_file", str(target)) == "one\ntwo\n"
    assert call("read_lines", str(target)) == ["one", "two"]
    assert call("exists", str(target)) is True and call("exists", str(tmp_path / "no")) is False
    assert call("read_dir", str(tmp_path)) == ["sub"]
    assert call("walk_dir", str(tmp_path)) == [f"{tmp_path}/sub", f"{tmp_path}/sub/f.txt"]
    assert call("glob", f"{tmp_path}/**/*.txt") == [str(target)]
    with pytest.raises(LumenRuntimeError) as raised:
        call("read_file", str(tmp_path / "missing.txt"))
    assert raised.value.message.startswith("read_file failed: ")


def test_exec_and_env() -> None:
    result = call("exec", "echo out; echo err >&2; exit 3")
    assert result == {"stdout": "out\n", "stderr": "err\n", "status": 3}
    call("set_env", "LUMEN_TEST_VAR", 42)
    assert call("get_env", "LUMEN_TEST_VAR") == "42"
    assert call("env_vars")["LUMEN_TEST_VAR"] == "42"
    assert call("get_env", "LUMEN_SURELY_UNSET_VAR") is None


def test_network_failures_are_maps() -> None:
    unsupported = call("tcp_connect", "127.0.0.1:1")
    assert unsupported["ok"] is False and "not supported" in unsupported["error"]
    bad = call("http_request", "FETCH", "http://127.0.0.1:1/")
    assert bad["ok"] is False and bad["status"] == 0 and "error" in bad
    refused = call("http_get", "http://127.0.0.1:1/")
    assert refused["ok"] is False and refused["status"] == 0 and refused["error"]


def test_random_builtins_use_the_context_rng() -> None:
    first = [call("random", ctx=FakeContext(9)), call("random_int", 1, 6, ctx=FakeContext(9))]
    again = [call("random", ctx=FakeContext(9)), call("random_int", 1, 6, ctx=FakeContext(9))]
    assert first == again and 0 <= first[0] < 1 and 1 <= first[1] <= 6
    assert call("random_int", 5, 5) == 5
    uuid = call("uuid")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid)
    assert isinstance(call("timestamp"), float) and isinstance(call("hrtime"), int)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((3, 1), "random_int: min (3) must be <= max (1)"),
        ((1.0, 3), "random_int: min must be Int, got Float"),
        ((1, "x"), "random_int: max must be Int, got String"),
    ],
)
def test_random_int_errors(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(LumenRuntimeError) as raised:
        call("random_int", *args)
    assert raised.value.message == message


def test_registry_metadata() -> None:
    assert BUILTINS["random"].nondeterministic and BUILTINS["random"].effect == "random"
    assert BUILTINS["timestamp"].effect == "time" and BUILTINS["print"].effect == "emit"
    assert BUILTINS["len"].fn is BUILTINS["length"].fn and BUILTINS["len"].name == "len"
    assert BUILTINS["map"].needs_context and not BUILTINS["upper"].needs_context
    nd = {name for name, spec in all_builtins().items() if spec.nondeterministic}
    assert nd == {"random", "random_int", "uuid", "uuid_v4", "timestamp", "hrtime"}


WEIRD_ARGUMENTS: list[Any] = [
    None, True, -1, 2**80, 1.5, math.nan, "s", b"\x01", [1, "a"], (1,), LSet([1]),
    {"k": 1}, Record("R", {"f": 1}), Variant(None, "V", (1, 2)), ok(1), err("e"),
]
SKIPPED = {"exit", "exec", "set_env", "write_file", "mkdir", "read_stdin", "read_line", "halt",
           "http_get", "http_post", "http_put", "http_delete", "http_request", "glob", "walk_dir",
           "sort_by", "reduce", "map", "filter", "flat_map", "any", "all", "find", "position",
           "group_by", "partition"}


@pytest.mark.parametrize("name", sorted(set(all_builtins()) - SKIPPED))
def test_no_python_exception_escapes(name: str) -> None:
    """Unsupported argument kinds give a value or a LumenRuntimeError, never a traceback."""
    for first in WEIRD_ARGUMENTS:
        for second in (None, 0, "x", [2]):
            try:
                call(name, first, second)
                call(name, first)
            except LumenRuntimeError:
                pass
