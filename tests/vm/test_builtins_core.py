"""Core, string, math, result and assertion builtins (§10.1-§10.5, §10.10, §10.13)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from lumen.vm.builtins import BUILTIN_CONSTANTS, lookup
from lumen.vm.errors import LumenRuntimeError, ProgramExit
from lumen.vm.values import INT_MAX, INT_MIN, LSet, Record, Variant, err, ok


class FakeContext:
    """A stand-in for the VM: Python callables act as Lumen function values."""

    def __init__(self, stdin: str = "") -> None:
        self.program_args = ["a1", "a2"]
        self.rng = random.Random(7)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._stdin = stdin.splitlines(keepends=True)

    def call(self, fn_value: Any, args: list[Any]) -> Any:
        return fn_value(*args)

    def write_stdout(self, text: str) -> None:
        self.stdout.append(text)

    def write_stderr(self, text: str) -> None:
        self.stderr.append(text)

    def read_stdin_line(self) -> str:
        return self._stdin.pop(0) if self._stdin else ""


def call(name: str, *args: Any, ctx: FakeContext | None = None) -> Any:
    spec = lookup(name)
    assert spec is not None, name
    if spec.needs_context:
        return spec.fn(ctx or FakeContext(), *args)
    return spec.fn(*args)


def same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (  # type: ignore[arg-type]
            a == b and math.copysign(1, a) == math.copysign(1, b)  # type: ignore[arg-type]
        )
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))  # type: ignore[arg-type]
    return a == b


CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    # §10.2 conversions and introspection
    ("to_string", (42,), "42"), ("string", ([1, 2],), "[1, 2]"), ("str", (2.0,), "2.0"),
    ("to_int", ("42",), 42), ("int", ("7",), 7), ("to_int", (3.9,), 3), ("to_int", (-3.9,), -3),
    ("to_int", ("-12",), -12), ("to_int", ("+5",), 5), ("to_int", (" 5",), None),
    ("to_int", ("1_000",), None), ("to_int", ("12a",), None), ("to_int", (True,), 1),
    ("to_int", (math.nan,), 0), ("to_int", (1e300,), INT_MAX), ("to_int", (-1e300,), INT_MIN),
    ("to_int", ("99999999999999999999",), 99999999999999999999), ("to_int", ([1],), None),
    ("to_float", (2,), 2.0), ("float", (1,), 1.0), ("to_float", ("2.5",), 2.5),
    ("to_float", ("2",), 2.0), ("to_float", ("1e3",), 1000.0), ("to_float", ("inf",), math.inf),
    ("to_float", ("nan",), math.nan), ("to_float", (False,), 0.0), ("to_float", ("x",), None),
    ("to_float", (None,), None),
    ("type_of", (1,), "Int"), ("type", (1.5,), "Float"), ("type_of", (None,), "Null"),
    ("type_of", ((1, 2),), "Tuple"), ("type_of", (LSet([1]),), "Set"),
    ("type_of", (Record("Point", {"x": 1}),), "Point"), ("type_of", (ok(1),), "Union"),
    ("clone", ([1],), [1]), ("freeze", ({"a": 1},), {"a": 1}),
    ("length", ([1, 2],), 2), ("len", ("héllo",), 5), ("length", ({"a": 1},), 1),
    ("count", ([1, 2, 3],), 3), ("size", (LSet([1, 2]),), 2), ("length", ([],), 0),
    ("length", ((1, 2, 3),), 3), ("length", ("日本語",), 3), ("length", ("😀",), 1),
    ("length", (b"ab",), 2), ("length", (5,), 0), ("length", (None,), 0),
    ("range", (0, 5), [0, 1, 2, 3, 4]), ("range", (3, 5), [3, 4]), ("range", (5, 5), []),
    ("range", (3,), [0, 1, 2]), ("range", (1.0, 3), None),
    ("format", ("{} + {} = {}", 1, 2, 3), "1 + 2 = 3"),
    ("format", ("name: {}, tags: {}", "Ada", ["x"]), 'name: Ada, tags: ["x"]'),
    ("__format_spec", (3.14159, ".2f"), "3.14"), ("__format_spec", (7, ">4"), "   7"),
    # §10.3 strings
    ("upper", ("abc",), "ABC"), ("lower", ("ABC",), "abc"), ("trim", ("  x y \t",), "x y"),
    ("trim", ("MiXeD",), "MiXeD"), ("trim_start", ("  a ",), "a "), ("trim_end", ("  a ",), "  a"),
    ("upper", (5,), "5"),
    ("split", ("a,,b", ","), ["a", "", "b"]), ("split", ("a,b,,c", ","), ["a", "b", "", "c"]),
    ("split", ("a b",), ["a", "b"]), ("split", ("abc", ""), ["a", "b", "c"]),
    ("join", (["a", "", "b"], "|"), "a||b"), ("join", ([1, 2, 3], "-"), "1-2-3"),
    ("join", (["a", "b"],), "a, b"), ("join", ((1, 2), "+"), "1+2"),
    ("join", (LSet([2, 1]), ""), "12"), ("join", (5, ","), "5"), ("join", ([["a"]], ","), "[a]"),
    ("replace", ("a-b-c", "-", "+"), "a+b+c"), ("replace", ("aaa", "aa", "b"), "ba"),
    ("contains", ("hello", "ell"), True), ("has", ([1, 2], 2), True),
    ("contains", (LSet([1, 2]), 3), False), ("contains", ({"k": 1}, "k"), True),
    ("starts_with", ("hello", "he"), True), ("ends_with", ("hello", "lo"), True),
    ("ends_with", ("hello", "he"), False),
    ("index_of", ("hello world", "o"), 4), ("index_of", ("abc", "z"), -1),
    ("index_of", ("日本語", "語"), 2), ("index_of", ([5, 6], 6), 1),
    ("chars", ("aéc",), ["a", "é", "c"]), ("chars", ("",), []),
    ("slice", ("lumen", 1, 3), "um"), ("slice", ([1, 2, 3, 4], 2, 0), [3, 4]),
    ("slice", ("hello", 1, 4), "ell"), ("slice", ("日本語", 1, 3), "本語"),
    ("slice", ([10, 20, 30, 40, 50], 1, 3), [20, 30]), ("slice", ([10, 20], 0, 5), [10, 20]),
    ("slice", ([1, 2, 3], 3, 3), []), ("slice", ([1, 2, 3], 2, 1), []),
    ("slice", ([1, 2, 3], -5, 2), [1, 2]), ("slice", ([1, 2, 3], 1, -1), [2, 3]),
    ("slice", ((1, 2, 3), 1), (2, 3)), ("slice", ("abc", 1), "bc"), ("slice", (5, 0, 1), None),
    ("substring", ("hello", 1, 3), "el"),
    ("pad_left", ("7", 3), "  7"), ("pad_right", ("ab", 4), "ab  "), ("pad_left", ("long", 2), "long"),
    ("pad_left", ("7", 3, "0"), "007"), ("pad_right", ("a", 4, "xy"), "axyx"),
    ("capitalize", ("hELLO",), "Hello"), ("capitalize", ("",), ""),
    ("title_case", ("hello   big  world",), "Hello Big World"),
    ("snake_case", ("HelloWorld",), "hello_world"), ("snake_case", ("Hello World",), "hello_world"),
    ("snake_case", ("userID",), "user_i_d"),
    ("camel_case", ("user_id",), "userId"), ("camel_case", ("Hello big-world",), "helloBigWorld"),
    ("reverse", ("hello",), "olleh"), ("reverse", ([1, 2, 3],), [3, 2, 1]),
    ("string_concat", (["a", 1, 2.0],), "a12.0"), ("string_concat", ([["x"]],), '["x"]'),
    ("string_concat", (7,), "7"),
    ("matches", (True,), True), ("matches", ("",), False), ("confirm", ("y",), True),
    ("matches", (1,), False),
    ("regex_match", (r"(\d+)-(\d+)?", "ab 12- x"), ["12-", "12", None]),
    ("regex_match", (r"z", "abc"), []),
    ("regex_find_all", (r"\d+", "a1b22c333"), ["1", "22", "333"]),
    ("regex_replace", (r"(\w+)@(\w+)", "me@host you@there", "$2 at $1"), "host at me there at you"),
    ("regex_replace", (r"(?P<n>\d)", "a1b2", "<${n}>"), "a<1>b<2>"),
    ("is_valid_email", ("a@b.co",), True), ("is_valid_email", ("nope",), False),
    # §10.5 math
    ("abs", (-5,), 5), ("abs", (-2.5,), 2.5), ("abs", ("x",), None),
    ("min", (3, 7), 3), ("max", (3, 7), 7), ("max", (1.5, -2.5), 1.5), ("min", (1.5, -2.5), -2.5),
    ("min", (2, 1.5), 1.5), ("max", (2, 2.0), 2), ("min", ([3, 1, 2],), 1), ("max", (["b", "a"],), "b"),
    ("min", ([],), None), ("max", ([1, "a", None],), "a"), ("min", ("x", 1), "x"),
    ("sum", ([1, 2, 3],), 6), ("sum", ([],), 0), ("sum", ([1, 2.5],), 3.5), ("sum", (["a"],), None),
    ("round", (2.4,), 2.0), ("round", (2.6,), 3.0), ("round", (2.5,), 3.0), ("round", (-2.5,), -3.0),
    ("round", (-2.6,), -3.0), ("round", (0.49999999999999994,), 0.0), ("round", (7,), 7),
    ("floor", (2.7,), 2.0), ("ceil", (2.1,), 3.0), ("floor", (-2.5,), -3.0), ("ceil", (-2.5,), -2.0),
    ("floor", (4,), 4), ("floor", (math.inf,), math.inf),
    ("sqrt", (16.0,), 4.0), ("sqrt", (2,), 1.4142135623730951), ("sqrt", (-1.0,), math.nan),
    ("sin", (0.0,), 0.0), ("cos", (0.0,), 1.0), ("log", (1.0,), 0.0), ("log", (0,), -math.inf),
    ("log", (-1.0,), math.nan), ("log2", (8,), 3.0), ("log10", (1000.0,), 3.0),
    ("exp", (1000.0,), math.inf), ("tan", (0,), 0.0), ("sin", (math.inf,), math.nan),
    ("pow", (2, 10), 1024), ("pow", (2.0, 0.5), 1.4142135623730951), ("pow", (2, 64), 2**64),
    ("pow", (2, -1), 0.5), ("pow", (4, 0.5), 2.0),
    ("clamp", (15, 0, 10), 10), ("clamp", (-3, 0, 10), 0), ("clamp", (5, 0, 10), 5),
    ("clamp", (1.5, 0.0, 1.0), 1.0),
    ("is_nan", (math.nan,), True), ("is_nan", (1,), False), ("is_infinite", (-math.inf,), True),
    ("is_infinite", ("inf",), False), ("math_pi", (), math.pi), ("math_e", (), math.e),
    ("wrapping_add", (INT_MAX, 1), INT_MIN), ("wrapping_sub", (INT_MIN, 1), INT_MAX),
    ("wrapping_mul", (2**62, 4), 0), ("wrapping_add", (1, 2), 3),
    # §10.10 results
    ("ok", (5,), ok(5)), ("err", ("e",), err("e")),
    ("is_ok", (ok(1),), True), ("is_ok", (err(1),), False), ("is_err", (err(1),), True),
    ("is_err", (5,), False), ("unwrap", (ok(5),), 5), ("unwrap", (7,), 7),
    ("unwrap_or", (ok(5), 0), 5), ("unwrap_or", (err("x"), 0), 0), ("unwrap_or", (None, 3), 3),
    ("unwrap_or", (4, 3), 4),
    ("parse_int", (" 42 ",), ok(42)), ("parse_int", ("4x",), err("invalid integer: 4x")),
    ("parse_float", ("2.5",), ok(2.5)), ("parse_float", ("x",), err("invalid float: x")),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_builtin(name: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(name, *args)
    if isinstance(expected, Variant):
        assert result == expected
    else:
        assert same(result, expected), result


def test_constants() -> None:
    assert BUILTIN_CONSTANTS["MAX_INT"] == 9223372036854775807
    assert BUILTIN_CONSTANTS["MIN_INT"] == -9223372036854775808
    assert BUILTIN_CONSTANTS["PI"] == 3.141592653589793
    assert BUILTIN_CONSTANTS["E"] == 2.718281828459045
    assert BUILTIN_CONSTANTS["TAU"] == 2 * math.pi
    assert BUILTIN_CONSTANTS["INFINITY"] == math.inf and math.isnan(BUILTIN_CONSTANTS["NAN"])


def test_output_builtins() -> None:
    ctx = FakeContext()
    assert call("print", "hello", ctx=ctx) is None
    call("print", [1, "two"], 3.0, ctx=ctx)
    call("print", ctx=ctx)
    call("emit", {"a": 1}, ctx=ctx)
    assert ctx.stdout == ["hello\n", '[1, "two"] 3.0\n', "\n", '{"a": 1}\n']
    call("debug", "x", ctx=ctx)
    call("eprint", 1, ctx=ctx)
    call("eprintln", 2, ctx=ctx)
    assert ctx.stderr == ["[debug] x\n", "1", "2\n"]


def test_input_builtins() -> None:
    ctx = FakeContext(stdin="one\r\ntwo\nthree")
    assert call("read_line", ctx=ctx) == "one"
    assert call("read_stdin", ctx=ctx) == "two\nthree"
    assert call("read_line", ctx=ctx) == ""
    assert call("args", ctx=ctx) == ["a1", "a2"]


def test_exit_and_halt() -> None:
    with pytest.raises(ProgramExit) as exited:
        call("exit", 3)
    assert exited.value.status == 3
    with pytest.raises(ProgramExit) as exited:
        call("exit", "x")
    assert exited.value.status == 0
    with pytest.raises(LumenRuntimeError) as raised:
        call("halt", ["disk", "fire"])
    assert (raised.value.kind, raised.value.message) == ("halt", "halt: [disk, fire]")


def test_sizeof_is_positive() -> None:
    assert call("sizeof", [1, "ab"]) > call("sizeof", [1])


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("assert", (False,), "runtime error: assertion failed"),
        ("assert", (0, "custom {x}"), "custom {x}"),
        ("assert", ([], ["m"]), "[m]"),
        ("assert_eq", (2, 3), "assert_eq failed: 2 != 3"),
        ("assert_eq", ("a", ["b"]), 'assert_eq failed: a != ["b"]'),
        ("assert_ne", (1, 1.0), "assert_ne failed: 1 == 1.0"),
        ("assert_contains", ([1, 2], 3), "assert_contains failed: 3 not in [1, 2]"),
        ("assert_contains", ("abc", "z"), "assert_contains failed: z not in abc"),
        ("assert_contains", ({"a": 1}, "a"), 'assert_contains failed: a not in {"a": 1}'),
        ("unwrap", (err("boom"),), "unwrap on err: boom"),
        ("abs", (INT_MIN,), "integer overflow in negation"),
        ("regex_match", ("(", "x"), None),
    ],
)
def test_builtin_errors(name: str, args: tuple[Any, ...], message: str | None) -> None:
    with pytest.raises(LumenRuntimeError) as raised:
        call(name, *args)
    if message is not None:
        assert raised.value.message == message
    else:
        assert raised.value.message.startswith(f"{name}: invalid pattern: ")


def test_passing_assertions_return_null() -> None:
    assert call("assert", True) is None and call("assert", 1, "m") is None
    assert call("assert_eq", [1, 2], [1.0, 2]) is None
    assert call("assert_ne", 1, 2) is None
    assert call("assert_contains", "hello", "ell") is None
    assert call("assert_contains", [1, 2], 2) is None
