"""Lowering of tools (§12): `use tool`, merged grant policies, calls `Alias(args)`.

`use tool ID as A` and every `grant A …` (top level and inside agents/processes, in source
order) become `Module.tools[A]`: the tool id, version and the merged policy (later keys
override earlier ones, §12.3). A call `A(args)` becomes one `TOOLCALL` (`A.name(args)` one
for the tool `ID.name`, e.g. a tool of an MCP server alias); the VM builds the
argument map from the call shape (named arguments by name, positional ones as `arg0`,
`arg1`, …, §12.2) and hands it to the run's tool session. `A(args) expect schema T` also
passes T's schema (lower_schema.py), so typed outputs are validated and repaired (§12.6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lumen.lir.lower_schema import schema_constant
from lumen.lir.module import ToolInfo
from lumen.lir.opcodes import Op
from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.lir.lower import CellLowerer, ModuleContext


def collect_tool_item(mod: ModuleContext, item: ast.Node) -> None:
    """Record a tool declaration or the grants of a top-level grant/agent/process."""
    if isinstance(item, ast.UseTool):
        mod.tools.setdefault(item.alias, item)
    elif isinstance(item, ast.GrantDecl):
        mod.grants.append(item)
    elif isinstance(item, (ast.AgentDecl, ast.ProcessDecl)):
        mod.grants.extend(item.grants)


def grant_value(value: ast.Node) -> Any:
    """The JSON value of a grant constraint (literals, lists, bare names as strings)."""
    if isinstance(value, (ast.IntLit, ast.FloatLit, ast.StringLit, ast.BoolLit)):
        return value.value
    if isinstance(value, ast.ListLit):
        return [grant_value(item) for item in value.items]
    if isinstance(value, ast.Name):
        return value.id
    if isinstance(value, ast.Unary) and value.op == "-" and isinstance(
            value.operand, (ast.IntLit, ast.FloatLit)):
        return -value.operand.value
    return None  # null, or a form the grammar does not produce


def tool_infos(mod: ModuleContext) -> dict[str, ToolInfo]:
    """Every declared alias with its merged runtime policy."""
    policies: dict[str, dict[str, Any]] = {alias: {} for alias in mod.tools}
    for grant in mod.grants:
        policy = policies.get(grant.alias)
        if policy is None:
            continue  # a grant for an undeclared alias: E0104 from the checker
        for constraint in grant.constraints:
            policy[constraint.key] = grant_value(constraint.value)
    return {
        alias: ToolInfo(alias, decl.tool_id or (f"mcp:{decl.mcp_uri}" if decl.mcp_uri else alias),
                        decl.version, decl.mcp_uri, policies[alias])
        for alias, decl in mod.tools.items()
    }


class ToolLowering:
    """Mixin of `CellLowerer`: tool calls."""

    # `expect schema T` around a tool call: (the call node, its schema constant), set while
    # the operand of the `expect schema` is lowered (§12.6).
    expected_output: tuple[ast.Call, str] | None = None

    def expect_schema(self: CellLowerer, e: ast.ExpectSchema, dest: int | None) -> int:
        """`v expect schema T`: when `v` is a tool call, the call gets T's schema (the
        runtime parses, validates and repairs the answer); `EXPECT` checks it either way."""
        b = self.b
        saved = self.expected_output
        if isinstance(e.value, ast.Call):
            self.expected_output = (e.value, schema_constant(self.mod, e.type_name))
        try:
            return self.unary_reg(Op.EXPECT, e.value, dest, b.const(e.type_name))
        finally:
            self.expected_output = saved

    def tool_call(self: CellLowerer, alias: str, e: ast.Call, member: str = "") -> int:
        """`Alias(args)` -> `TOOLCALL base K(alias, shape, "", schema) n`; `Alias.member(args)`
        calls the tool `ID.member` (K(alias, shape, member, schema)). `schema`: the JSON
        schema of an enclosing `expect schema T`, else "". The result lands in `base`."""
        b = self.b
        expected = self.expected_output
        schema = expected[1] if expected is not None and expected[0] is e else ""
        self.expected_output = None  # the call's arguments are not its output
        mark = b.mark()
        base = b.alloc()
        shape = self.call_args(e.args, base + 1) or ("",) * len(e.args)
        self.at(e)
        b.emit(Op.TOOLCALL, base, b.const((alias, shape, member, schema)), len(e.args))
        b.release(mark + 1)
        return base
