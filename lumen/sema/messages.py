"""Every user-facing text of the checker (appendix A shapes, without " at line L").

Checker modules call these functions instead of formatting strings themselves, so wording
stays consistent and testable in one place.  Where appendix A puts the line inside the
message (effects, machines) the line is kept, because it names a *different* location
than the diagnostic's span.
"""

from __future__ import annotations

from collections.abc import Iterable


def _quoted_list(names: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{n}"' for n in names) + "]"


# ---------------------------------------------------------------- resolution (E01xx)


def undefined_type(name: str) -> str:
    return f"undefined type '{name}'"


def generic_arity(name: str, expected: int, got: int) -> str:
    return f"generic type '{name}' has wrong number of type arguments: expected {expected}, got {got}"


def undefined_cell(name: str) -> str:
    return f"undefined cell '{name}'"


def undefined_trait(name: str) -> str:
    return f"undefined trait '{name}'"


def undefined_tool(alias: str) -> str:
    return f"undefined tool alias '{alias}'"


def duplicate_definition(name: str) -> str:
    return f"duplicate definition '{name}'"


def did_you_mean(names: Iterable[str]) -> str:
    quoted = ", ".join(f"'{n}'" for n in names)
    return f"did you mean {quoted}?"


# ---------------------------------------------------------------- effects (E0106-E0109)


def missing_effect_grant(cell: str, effect: str, line: int) -> str:
    return (
        f"cell '{cell}' requires effect '{effect}' but no compatible grant is in scope "
        f"(line {line})"
    )


def undeclared_effect(cell: str, effect: str, line: int, cause: str) -> str:
    return (
        f"cell '{cell}' performs effect '{effect}' but it is not declared in its effect row "
        f"(line {line}); cause: {cause}"
    )


def effect_contract(caller: str, callee: str, effect: str, line: int) -> str:
    return (
        f"cell '{caller}' calls '{callee}' which requires effect '{effect}' not present in "
        f"caller effect row (line {line})"
    )


def nondeterministic(cell: str, what: str, line: int) -> str:
    return (
        f"cell '{cell}' uses nondeterministic operation/effect '{what}' under @deterministic "
        f"(line {line})"
    )


def add_effect_hint(effect: str) -> str:
    return f"add '{effect}' to the cell's effect row"


def cause_tool_call(alias: str) -> str:
    return f"tool call '{alias}'"


def cause_call(name: str) -> str:
    return f"call to '{name}'"


def cause_chain(calls: list[tuple[str, int]], origin: str | None, origin_line: int | None) -> str:
    """`call to 'a' (line 3) -> 'b' (line 7) -> perform Metric.count (line 12)`."""
    text = " -> ".join(
        f"call to '{name}' (line {line})" if index == 0 else f"'{name}' (line {line})"
        for index, (name, line) in enumerate(calls)
    )
    if origin is not None:
        text += f" -> {origin} (line {origin_line})"
    return text


def cause_perform(effect: str, op: str) -> str:
    return f"perform '{effect}.{op}'"


def cause_statement(keyword: str) -> str:
    return f"'{keyword}' statement"


def cause_construct(name: str) -> str:
    return f"'{name}'"


# ---------------------------------------------------------------- processes (E0110-E0120)


def machine_unknown_initial(machine: str, state: str) -> str:
    return f"machine '{machine}' initial state '{state}' is not declared"


def machine_unknown_target(machine: str, source: str, target: str) -> str:
    return f"machine '{machine}' state '{source}' transitions to undeclared state '{target}'"


def machine_unreachable(machine: str, state: str) -> str:
    return f"machine '{machine}' state '{state}' is unreachable from the initial state"


def machine_no_terminal(machine: str, line: int) -> str:
    return f"machine '{machine}' declares no terminal states (line {line})"


def machine_arg_count(machine: str, target: str, expected: int, got: int) -> str:
    return (
        f"machine '{machine}' transition to '{target}' passes {got} argument(s) but the state "
        f"takes {expected}"
    )


def machine_arg_type(machine: str, target: str, param: str, expected: str, got: str) -> str:
    return (
        f"machine '{machine}' transition to '{target}' argument '{param}': expected "
        f"{expected}, got {got}"
    )


def machine_bad_expression(machine: str, state: str, what: str) -> str:
    return (
        f"machine '{machine}' state '{state}' {what} may only use literals, the state's "
        f"parameters and operators"
    )


def machine_guard_not_bool(machine: str, state: str, got: str) -> str:
    return f"machine '{machine}' state '{state}' guard must be Bool, got {got}"


def pipeline_unknown_stage(pipeline: str, stage: str) -> str:
    return f"pipeline '{pipeline}' references unknown stage cell '{stage}'"


def pipeline_stage_arity(pipeline: str, stage: str, count: int) -> str:
    return (
        f"pipeline '{pipeline}' stage '{stage}' must take exactly one data parameter, "
        f"it takes {count}"
    )


def pipeline_stage_type(pipeline: str, stage: str, following: str, produced: str, wanted: str) -> str:
    return (
        f"pipeline '{pipeline}' stage '{stage}' returns {produced} but stage '{following}' "
        f"expects {wanted}"
    )


# ---------------------------------------------------------------- traits (E0103, E0124/5)


def trait_missing_methods(trait: str, target: str, methods: Iterable[str]) -> str:
    return f"impl for trait '{trait}' on '{target}' is missing required methods {_quoted_list(methods)}"


def trait_signature(method: str, trait: str, target: str, reason: str, expected: str, found: str) -> str:
    return (
        f"impl method '{method}' for trait '{trait}' on '{target}' has incompatible signature: "
        f"{reason}. expected `{expected}`, found `{found}`"
    )


# ---------------------------------------------------------------- types (E02xx)


def mismatch(expected: str, got: str) -> str:
    return f"type mismatch: expected {expected}, got {got}"


def missing_field(field: str) -> str:
    return mismatch(f"field '{field}'", "missing")


def unknown_argument(cell: str, argument: str) -> str:
    return mismatch(f"a parameter of '{cell}'", f"unknown argument '{argument}'")


def duplicate_argument(cell: str, argument: str) -> str:
    return mismatch(f"one value for parameter '{argument}' of '{cell}'", "two")


def positional_record_argument(record: str) -> str:
    return mismatch(f"named fields for record '{record}'", "a positional argument")


def not_iterable(got: str) -> str:
    return mismatch("iterable", got)


def variant_not_in_enum(enum: str, variant: str) -> str:
    return mismatch(f"variant of {enum}", f"'{variant}'")


def variant_without_payload(variant: str) -> str:
    return mismatch(f"no arguments for payload-less variant '{variant}'", "arguments")


def pattern_subject(pattern_kind: str, got: str) -> str:
    return mismatch(pattern_kind, got)


def range_bounds(low: str, high: str) -> str:
    return mismatch("both range bounds Int or both Float", f"{low} and {high}")


def same_type_operands(left: str, right: str) -> str:
    return mismatch(f"operands of the same type for '<=>' ({left})", right)


def format_spec_type(spec: str, expected: str, got: str) -> str:
    return mismatch(f"{expected} for format spec ':{spec}'", got)


def undefined_var(name: str) -> str:
    return f"undefined variable '{name}'"


def not_callable(what: str) -> str:
    return f"not callable: {what}"


def arg_count(expected: int, got: int) -> str:
    return f"wrong number of arguments: expected {expected}, got {got}"


def unknown_field(field: str, type_name: str) -> str:
    return f"unknown field '{field}' on type '{type_name}'"


def immutable_assign(name: str) -> str:
    return f"cannot assign to immutable variable '{name}'"


def incomplete_match(missing: Iterable[str]) -> str:
    return f"incomplete match: missing variants {_quoted_list(missing)}"


def add_arms_hint(missing: Iterable[str]) -> str:
    return "add arms for " + ", ".join(missing) + " or a `_ ->` arm"


WIDE_INT_RANGE = "_ (wildcard required for large integer ranges)"


def must_use(cell: str) -> str:
    return f"unused result of @must_use cell '{cell}'"


def internal_error(where: str, detail: str) -> str:
    return f"internal checker error in {where}: {detail} (please report this bug)"
