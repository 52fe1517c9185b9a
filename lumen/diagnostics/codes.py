"""Every compile-time diagnostic code, declared once (LANGUAGE.md appendix A).

Checker code refers to codes through `ErrorCode` members, never by literal strings,
so that the table below is the single source of truth (and of SPEC.md's appendix).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class CodeInfo(NamedTuple):
    code: str
    kind: str
    summary: str


class ErrorCode(StrEnum):
    # Lexical
    UNEXPECTED_CHAR = "E0001"
    UNTERMINATED_STRING = "E0002"
    INCONSISTENT_INDENT = "E0003"
    INVALID_NUMBER = "E0004"
    INVALID_BYTES = "E0005"
    INVALID_ESCAPE = "E0006"
    UNTERMINATED_MARKDOWN = "E0007"
    # Parse
    UNEXPECTED = "E0010"
    UNEXPECTED_EOF = "E0011"
    UNCLOSED_BRACKET = "E0012"
    MISSING_END = "E0013"
    MISSING_TYPE = "E0014"
    INCOMPLETE_EXPRESSION = "E0015"
    MALFORMED = "E0016"
    # Resolution, effects, processes, imports, traits
    UNDEFINED_TYPE = "E0100"
    GENERIC_ARITY = "E0101"
    UNDEFINED_CELL = "E0102"
    UNDEFINED_TRAIT = "E0103"
    UNDEFINED_TOOL = "E0104"
    DUPLICATE = "E0105"
    MISSING_EFFECT_GRANT = "E0106"
    UNDECLARED_EFFECT = "E0107"
    EFFECT_CONTRACT = "E0108"
    NONDETERMINISTIC = "E0109"
    MACHINE_UNKNOWN_INITIAL = "E0110"
    MACHINE_UNKNOWN_TARGET = "E0111"
    MACHINE_UNREACHABLE = "E0112"
    MACHINE_NO_TERMINAL = "E0113"
    MACHINE_ARG_COUNT = "E0114"
    MACHINE_ARG_TYPE = "E0115"
    MACHINE_BAD_EXPR = "E0116"
    MACHINE_GUARD_NOT_BOOL = "E0117"
    PIPELINE_UNKNOWN_STAGE = "E0118"
    PIPELINE_STAGE_ARITY = "E0119"
    PIPELINE_STAGE_TYPE = "E0120"
    CIRCULAR_IMPORT = "E0121"
    MODULE_NOT_FOUND = "E0122"
    IMPORTED_SYMBOL_NOT_FOUND = "E0123"
    TRAIT_MISSING_METHODS = "E0124"
    TRAIT_SIGNATURE = "E0125"
    UNSTABLE_FEATURE = "E0126"
    DEPRECATED = "E0127"
    # Types
    MISMATCH = "E0200"
    UNDEFINED_VAR = "E0201"
    NOT_CALLABLE = "E0202"
    ARG_COUNT = "E0203"
    UNKNOWN_FIELD = "E0204"
    UNDEFINED_TYPE_IN_CHECK = "E0205"
    MISSING_RETURN = "E0206"
    IMMUTABLE_ASSIGN = "E0207"
    INCOMPLETE_MATCH = "E0208"
    MUST_USE = "E0209"
    # Other
    INVALID_CONSTRAINT = "E0300"
    USE_AFTER_MOVE = "E0400"
    INTERNAL_LOWERING = "E0500"
    TYPESTATE = "E0600"
    SESSION = "E0700"
    # Toolchain (not from the reference): files, configuration, usage
    FILE_NOT_FOUND = "E0900"
    FILE_UNREADABLE = "E0901"
    CONFIG = "E0902"
    INTERNAL = "E0903"
    CHECKPOINT = "E0904"
    # Static verification of `where` constraints and proof hints (§16.1, §16.2)
    PRECONDITION_VIOLATED = "E0800"
    FIELD_CONSTRAINT_VIOLATED = "E0801"
    ASSERTION_VIOLATED = "E0802"
    ASSERTION_UNPROVED = "E0803"
    INDEX_OUT_OF_BOUNDS = "E0804"
    UNVERIFIABLE = "E0805"
    INVARIANT_VIOLATED = "E0806"
    INVARIANT_UNPROVED = "E0807"
    REFINEMENT_VIOLATED = "E0808"


_KINDS: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.UNEXPECTED_CHAR: ("UnexpectedChar", "a character that cannot start any token"),
    ErrorCode.UNTERMINATED_STRING: ("UnterminatedString", "a string literal not closed on its line"),
    ErrorCode.INCONSISTENT_INDENT: ("InconsistentIndent", "a dedent to a column that no enclosing line uses"),
    ErrorCode.INVALID_NUMBER: ("InvalidNumber", "a malformed numeric literal"),
    ErrorCode.INVALID_BYTES: ("InvalidBytesLiteral", "a bytes literal that is not an even number of hex digits"),
    ErrorCode.INVALID_ESCAPE: ("InvalidUnicodeEscape", "a malformed \\x or \\u escape"),
    ErrorCode.UNTERMINATED_MARKDOWN: ("UnterminatedMarkdownBlock", "a ``` block in a plain source file that is never closed"),
    ErrorCode.UNEXPECTED: ("Unexpected", "a token the grammar does not allow here"),
    ErrorCode.UNEXPECTED_EOF: ("UnexpectedEof", "the file ends inside a construct"),
    ErrorCode.UNCLOSED_BRACKET: ("UnclosedBracket", "an opening bracket without its closing partner"),
    ErrorCode.MISSING_END: ("MissingEnd", "a block construct not closed by `end`"),
    ErrorCode.MISSING_TYPE: ("MissingType", "a `:` not followed by a type"),
    ErrorCode.INCOMPLETE_EXPRESSION: ("IncompleteExpression", "an operator without its right operand"),
    ErrorCode.MALFORMED: ("MalformedConstruct", "a construct whose shape is wrong"),
    ErrorCode.UNDEFINED_TYPE: ("UndefinedType", "a type name that is declared nowhere"),
    ErrorCode.GENERIC_ARITY: ("GenericArityMismatch", "a generic type with the wrong number of arguments"),
    ErrorCode.UNDEFINED_CELL: ("UndefinedCell", "a call of a name declared nowhere"),
    ErrorCode.UNDEFINED_TRAIT: ("UndefinedTrait", "an unknown trait in an impl, bound or parent list"),
    ErrorCode.UNDEFINED_TOOL: ("UndefinedTool", "a grant or binding for an undeclared tool alias"),
    ErrorCode.DUPLICATE: ("Duplicate", "two declarations of one name"),
    ErrorCode.MISSING_EFFECT_GRANT: ("MissingEffectGrant", "an effect that needs a grant in scope"),
    ErrorCode.UNDECLARED_EFFECT: ("UndeclaredEffect", "a cell performs an effect outside its declared row"),
    ErrorCode.EFFECT_CONTRACT: ("EffectContractViolation", "a call of a cell whose row the caller does not cover"),
    ErrorCode.NONDETERMINISTIC: ("NondeterministicOperation", "a nondeterministic operation under @deterministic"),
    ErrorCode.MACHINE_UNKNOWN_INITIAL: ("MachineUnknownInitial", "`initial:` names an undeclared state"),
    ErrorCode.MACHINE_UNKNOWN_TARGET: ("MachineUnknownTarget", "a transition targets an undeclared state"),
    ErrorCode.MACHINE_UNREACHABLE: ("MachineUnreachableState", "a state unreachable from the initial state"),
    ErrorCode.MACHINE_NO_TERMINAL: ("MachineNoTerminal", "a machine without a terminal state"),
    ErrorCode.MACHINE_ARG_COUNT: ("MachineTransitionArity", "a transition with the wrong number of arguments"),
    ErrorCode.MACHINE_ARG_TYPE: ("MachineTransitionType", "a transition argument of the wrong type"),
    ErrorCode.MACHINE_BAD_EXPR: ("MachineExpression", "a guard or argument using more than literals, parameters and operators"),
    ErrorCode.MACHINE_GUARD_NOT_BOOL: ("MachineGuardNotBool", "a guard that is not Bool"),
    ErrorCode.PIPELINE_UNKNOWN_STAGE: ("PipelineUnknownStage", "a stage naming no cell"),
    ErrorCode.PIPELINE_STAGE_ARITY: ("PipelineStageArity", "a stage cell without exactly one data parameter"),
    ErrorCode.PIPELINE_STAGE_TYPE: ("PipelineStageType", "adjacent stages whose types do not fit"),
    ErrorCode.CIRCULAR_IMPORT: ("CircularImport", "modules that import each other in a cycle"),
    ErrorCode.MODULE_NOT_FOUND: ("ModuleNotFound", "an import of a module that no search root holds"),
    ErrorCode.IMPORTED_SYMBOL_NOT_FOUND: ("ImportedSymbolNotFound", "an import of a name the module does not declare"),
    ErrorCode.TRAIT_MISSING_METHODS: ("TraitMissingMethods", "an impl that omits trait methods"),
    ErrorCode.TRAIT_SIGNATURE: ("TraitMethodSignatureMismatch", "an impl method whose signature differs from the trait's"),
    ErrorCode.UNSTABLE_FEATURE: ("UnstableFeature", "a feature this implementation does not provide"),
    ErrorCode.DEPRECATED: ("DeprecatedUsage", "a use of a declaration marked @deprecated"),
    ErrorCode.MISMATCH: ("Mismatch", "a value whose type does not fit where it flows"),
    ErrorCode.UNDEFINED_VAR: ("UndefinedVar", "a reference to a name bound nowhere"),
    ErrorCode.NOT_CALLABLE: ("NotCallable", "a call of a value that cannot be called"),
    ErrorCode.ARG_COUNT: ("ArgCount", "a call with more arguments than parameters"),
    ErrorCode.UNKNOWN_FIELD: ("UnknownField", "a record construction with an unknown field"),
    ErrorCode.UNDEFINED_TYPE_IN_CHECK: ("UndefinedType", "an unknown type in `is`, `as` or an annotation"),
    ErrorCode.MISSING_RETURN: ("MissingReturn", "reserved"),
    ErrorCode.IMMUTABLE_ASSIGN: ("ImmutableAssign", "an assignment to a constant"),
    ErrorCode.INCOMPLETE_MATCH: ("IncompleteMatch", "a match that does not cover every case"),
    ErrorCode.MUST_USE: ("MustUseIgnored", "a discarded result of a @must_use cell"),
    ErrorCode.INVALID_CONSTRAINT: ("InvalidConstraint", "a `where` constraint outside the constraint language"),
    ErrorCode.USE_AFTER_MOVE: ("UseAfterMove", "ownership: a use of a moved value"),
    ErrorCode.INTERNAL_LOWERING: ("InternalLowering", "a program the lowering cannot encode"),
    ErrorCode.TYPESTATE: ("TypestateViolation", "a method call invalid in the current typestate"),
    ErrorCode.SESSION: ("SessionViolation", "a session protocol violation"),
    ErrorCode.FILE_NOT_FOUND: ("FileNotFound", "the source file does not exist"),
    ErrorCode.FILE_UNREADABLE: ("FileUnreadable", "the source file cannot be read as UTF-8 text"),
    ErrorCode.CONFIG: ("ConfigError", "an invalid lumen.toml"),
    ErrorCode.INTERNAL: ("InternalError", "a bug in the toolchain itself, not in the program"),
    ErrorCode.CHECKPOINT: ("CheckpointError",
                           "a checkpoint that cannot be written, read or restored"),
    ErrorCode.PRECONDITION_VIOLATED: ("PreconditionViolated", "a call whose arguments can never satisfy the cell's `where` precondition"),
    ErrorCode.FIELD_CONSTRAINT_VIOLATED: ("FieldConstraintViolated", "a record construction whose field value can never satisfy the field's `where`"),
    ErrorCode.ASSERTION_VIOLATED: ("AssertionViolated", "an `@assert` condition that is false on every path reaching it"),
    ErrorCode.ASSERTION_UNPROVED: ("AssertionUnproved", "an `@assert` condition the verifier cannot prove (warning, with a counterexample)"),
    ErrorCode.INDEX_OUT_OF_BOUNDS: ("IndexOutOfBounds", "an index that is out of bounds on every path reaching it"),
    ErrorCode.UNVERIFIABLE: ("Unverifiable", "a constraint outside the verifier's language (note, `--verbose` only)"),
    ErrorCode.INVARIANT_VIOLATED: ("InvariantViolated", "an `@invariant` false when its loop starts, or broken by every pass of the body"),
    ErrorCode.INVARIANT_UNPROVED: ("InvariantUnproved", "an `@invariant` the verifier cannot prove at loop entry or after the body (warning)"),
    ErrorCode.REFINEMENT_VIOLATED: ("RefinementViolated", "a `let` or returned value that can never satisfy the `where` of its declared alias type"),
}

CODES: dict[str, CodeInfo] = {
    code.value: CodeInfo(code.value, kind, summary) for code, (kind, summary) in _KINDS.items()
}


def kind_of(code: str) -> str:
    """The kind name of a code (`E0201` -> `UndefinedVar`)."""
    info = CODES.get(code)
    return info.kind if info else "Error"


def markdown_table() -> str:
    """The appendix table of SPEC.md: one row per code."""
    rows = ["| code | kind | meaning |", "| --- | --- | --- |"]
    rows += [f"| {info.code} | {info.kind} | {info.summary} |" for info in CODES.values()]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
