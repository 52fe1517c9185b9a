"""Builtin names the checker knows (§10, §14) and their static result types (§10.19)."""

from __future__ import annotations

from lumen.sema.types import (
    ANY,
    BOOL,
    FLOAT,
    INT,
    NULL,
    STRING,
    ListT,
    ResultT,
    Type,
    optional,
)

BUILTIN_FUNCTIONS: frozenset[str] = frozenset("""
__format_spec abs add all any append args assert assert_contains assert_eq assert_ne
base64_decode base64_encode binary_search bytes_concat bytes_from_ascii bytes_len bytes_slice
bytes_to_ascii camel_case capitalize ceil chars chunk clamp clone confirm contains cos count
csv_encode csv_parse debug diff drop emit ends_with entries enumerate env_vars eprint eprintln
err eval exec exists exit exp filter find first flat_map flatten float floor format
format_time freeze get_env glob group_by has has_key hash hex_decode hex_encode hrtime
http_delete http_get http_post http_put http_request index_of int is_empty is_err is_infinite
is_nan is_ok join json_encode json_get json_parse json_pretty json_stringify keys last len
length log log10 log2 lower map map_sorted_keys matches math_e math_pi max merge min mkdir ok
pad_left pad_right parse_float parse_int parse_json partition patch path_extension
path_filename path_join path_parent path_stem position pow print push random random_int range
read_dir read_file read_line read_lines read_stdin redact reduce regex_find_all regex_match
regex_replace remove replace reverse round set_env sha256 sha512 sin size sizeof slice
snake_case sort sort_asc sort_by sort_desc split sqrt starts_with str string string_concat
substring sum take tan tcp_close tcp_connect tcp_listen tcp_recv tcp_send timestamp
title_case to_float to_int to_json to_list to_set to_string toml_encode toml_parse
trace_ref trim trim_end trim_start type type_of udp_bind udp_recv udp_send unique unwrap unwrap_or upper
url_decode url_encode uuid uuid_v4 validate values walk_dir window wrapping_add wrapping_mul
wrapping_sub write_file zip
spawn parallel race vote select timeout sleep
is_valid_email halt resume
""".split())

BUILTIN_CONSTANTS: dict[str, Type] = {
    "PI": FLOAT, "E": FLOAT, "TAU": FLOAT, "INFINITY": FLOAT, "NAN": FLOAT,
    "MAX_INT": INT, "MIN_INT": INT,
}

# §11.2: builtins that carry an effect, and §10.14: the nondeterministic ones.
BUILTIN_EFFECTS: dict[str, str] = {
    "print": "emit", "emit": "emit",
    "spawn": "async", "parallel": "async", "race": "async", "vote": "async",
    "select": "async", "timeout": "async", "sleep": "async",
    "random": "random", "random_int": "random", "uuid": "random", "uuid_v4": "random",
    "timestamp": "time", "hrtime": "time",
}
NONDETERMINISTIC_BUILTINS: frozenset[str] = frozenset(
    {"random", "random_int", "uuid", "uuid_v4", "timestamp", "hrtime"}
)


def _table(names: str, result: Type) -> dict[str, Type]:
    return {name: result for name in names.split()}


FIXED_RESULT_TYPES: dict[str, Type] = {
    **_table("length len count size int to_int hrtime bytes_len index_of position", INT),
    **_table(
        "float to_float random timestamp sqrt exp log log2 log10 sin cos tan math_pi math_e",
        FLOAT,
    ),
    **_table(
        "string to_string str type_of type upper lower trim trim_start trim_end replace join "
        "format hash sha256 sha512 uuid uuid_v4 to_json json_encode json_pretty base64_encode "
        "hex_encode url_encode url_decode capitalize title_case snake_case camel_case pad_left "
        "pad_right string_concat format_time read_file read_line read_stdin",
        STRING,
    ),
    **_table(
        "contains has starts_with ends_with is_empty is_ok is_err matches confirm exists "
        "is_nan is_infinite any all has_key validate",
        BOOL,
    ),
    **_table(
        "print emit debug eprint eprintln write_file mkdir set_env assert assert_eq assert_ne "
        "assert_contains",
        NULL,
    ),
    **_table(
        "keys split chars read_lines read_dir walk_dir glob args map_sorted_keys",
        ListT(STRING),
    ),
    "range": ListT(INT),
    "parse_int": ResultT(INT, STRING),
    "parse_float": ResultT(FLOAT, STRING),
    "get_env": optional(STRING),
}

# Builtins whose result has the type of their first argument.
SAME_AS_FIRST_ARGUMENT: frozenset[str] = frozenset(
    "abs sort sort_asc sort_desc sort_by reverse filter take drop unique append push".split()
)


def builtin_result_type(name: str, arg_types: list[Type], mapper_result: Type | None) -> Type:
    """The static result type of a call of builtin `name` (§10.19); `Any` when unknown.

    `mapper_result` is the return type of the callable passed to `map`, when known.
    """
    fixed = FIXED_RESULT_TYPES.get(name)
    if fixed is not None:
        return fixed
    if name in SAME_AS_FIRST_ARGUMENT or (name in ("min", "max") and len(arg_types) == 2):
        return arg_types[0] if arg_types else ANY
    if name == "map" and mapper_result is not None:
        return ListT(mapper_result)
    return ANY
