"""Which family module registers each builtin name, so that a run imports only the
families its program uses (`registry.BUILTINS` loads them on first use of a name).

tests/vm/test_builtin_families.py checks this table against the registrations.
"""

FAMILIES: dict[str, tuple[str, ...]] = {
    "assertions": (
        "assert", "assert_eq", "assert_ne", "assert_contains"),
    "async_ops": (
        "spawn", "sleep", "parallel", "race", "select", "vote", "timeout"),
    "core": (
        "print", "emit", "debug", "eprint", "eprintln", "to_string", "string", "str", "to_int",
        "int", "to_float", "float", "type_of", "type", "clone", "freeze", "sizeof", "length",
        "len", "count", "size", "range", "args", "exit", "read_line", "read_stdin", "halt",
        "format", "__format_spec"),
    "data_formats": (
        "json_parse", "parse_json", "to_json", "json_encode", "json_stringify", "json_pretty",
        "csv_parse", "csv_encode", "toml_parse", "toml_encode"),
    "encoding": (
        "base64_encode", "base64_decode", "hex_encode", "hex_decode", "url_encode", "url_decode",
        "hash", "sha256", "sha512", "bytes_from_ascii", "bytes_to_ascii", "bytes_len",
        "bytes_slice", "bytes_concat"),
    "evaluate": (
        "eval",),
    "higher_order": (
        "map", "filter", "reduce", "flat_map", "any", "all", "find", "position", "group_by",
        "partition", "sort_by"),
    "integrity": (
        "diff", "patch", "redact", "validate", "trace_ref"),
    "lists": (
        "append", "push", "sort", "sort_asc", "sort_desc", "flatten", "unique", "zip",
        "enumerate", "take", "drop", "first", "last", "is_empty", "chunk", "window", "to_list",
        "binary_search"),
    "maps_sets": (
        "keys", "map_sorted_keys", "values", "entries", "has_key", "merge", "remove", "json_get",
        "to_set", "add"),
    "math": (
        "abs", "min", "max", "sum", "round", "floor", "ceil", "sqrt", "exp", "log", "log2",
        "log10", "sin", "cos", "tan", "pow", "clamp", "is_nan", "is_infinite", "math_pi",
        "math_e", "wrapping_add", "wrapping_sub", "wrapping_mul"),
    "results": (
        "ok", "err", "is_ok", "is_err", "unwrap", "unwrap_or", "parse_int", "parse_float"),
    "strings": (
        "upper", "lower", "trim", "trim_start", "trim_end", "split", "join", "replace",
        "contains", "has", "starts_with", "ends_with", "index_of", "chars", "slice", "substring",
        "pad_left", "pad_right", "capitalize", "title_case", "snake_case", "camel_case",
        "reverse", "string_concat", "matches", "confirm", "is_valid_email", "regex_match",
        "regex_find_all", "regex_replace"),
    "system": (
        "read_file", "write_file", "read_lines", "read_dir", "walk_dir", "glob", "exists",
        "mkdir", "path_join", "path_parent", "path_filename", "path_extension", "path_stem",
        "exec", "get_env", "set_env", "env_vars", "http_get", "http_delete", "http_post",
        "http_put", "http_request", "tcp_connect", "tcp_listen", "udp_bind", "tcp_send",
        "tcp_recv", "tcp_close", "udp_send", "udp_recv"),
    "time_random": (
        "random", "random_int", "uuid", "uuid_v4", "timestamp", "hrtime", "format_time"),
}

FAMILY_OF: dict[str, str] = {name: family for family, names in FAMILIES.items()
                              for name in names}
