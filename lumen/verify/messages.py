"""Every user-facing text of the verifier (codes E0800-E0805), in one place."""

from __future__ import annotations

from collections.abc import Iterable


def precondition_violated(cell: str, constraint: str) -> str:
    return f"this call of '{cell}' can never satisfy its precondition `{constraint}`"


def field_constraint_violated(record: str, field: str, constraint: str) -> str:
    return f"field '{field}' of '{record}' can never satisfy its constraint `{constraint}`"


def refinement_violated(what: str, alias: str, constraint: str) -> str:
    return f"{what} can never satisfy `{constraint}` of type '{alias}'"


def assertion_violated(condition: str) -> str:
    return f"@assert `{condition}` is false on every path that reaches it"


def assertion_unproved(condition: str) -> str:
    return f"cannot prove @assert `{condition}`"


def invariant_violated(condition: str, at_entry: bool) -> str:
    where = "when the loop starts" if at_entry else "after every pass of the loop body"
    return f"@invariant `{condition}` is false {where}"


def invariant_unproved(condition: str, at_entry: bool) -> str:
    what = "holds when the loop starts" if at_entry else "is preserved by the loop body"
    return f"cannot prove that @invariant `{condition}` {what}"


def index_out_of_bounds(index: str, container: str) -> str:
    return f"index `{index}` is out of bounds for '{container}' on every path that reaches it"


def unverifiable(what: str, reasons: Iterable[str]) -> str:
    return f"{what} is not fully verified: " + "; ".join(sorted(set(reasons)))


def empty_hint(kind: str) -> str:
    return f"@{kind} needs a condition"


def unparsable_hint(kind: str) -> str:
    return f"the condition of @{kind} is not an expression"


def values_hint(values: Iterable[str], counterexample: Iterable[str],
                failing: Iterable[str] = ()) -> str | None:
    """`with n = -1, `n >= 0` is false; counterexample: x = -1 (input), y = 0 (bound)`."""
    parts = []
    shown_values = list(values)
    false_parts = [f"`{text}` is false" for text in failing]
    if shown_values or false_parts:
        parts.append(", ".join([*(["with " + ", ".join(shown_values)] if shown_values else []),
                                *false_parts]))
    shown_model = list(counterexample)
    if shown_model:
        parts.append("counterexample: " + ", ".join(shown_model))
    return "; ".join(parts) if parts else None


def too_deep() -> str:
    return "verification stopped: the program is nested too deeply"
