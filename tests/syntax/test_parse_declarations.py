"""Declarations (§5, §11-§16 syntax) and directives/attributes."""

from __future__ import annotations

import textwrap

from lumen.syntax import ast, parse


def items(code: str) -> tuple[ast.Item, ...]:
    result = parse(textwrap.dedent(code))
    assert not result.diagnostics, [f"{d.line}:{d.column} {d.message}" for d in result.diagnostics]
    return result.program.items


def test_cells() -> None:
    cell, twice, ext, take = items("""\
        pub async cell scale[T: Show + Eq](items: list[T], factor: Int = 2, ...extra: Int) -> list[T] / {emit}
          return items
        end
        cell twice(n: Int) -> Int = n * 2
        pub extern cell host(x: Int) -> Int
        cell take(xs: list[Int], n: Int) -> list[Int] where n >= 0 and n <= 100
          return xs
        end
    """)
    assert isinstance(cell, ast.CellDecl) and cell.is_pub and cell.is_async
    assert cell.generics == (ast.Generic("T", ("Show", "Eq")),)
    assert cell.params[2] == ast.Param("extra", ast.NamedType("Int"), variadic=True)
    assert cell.effects == ast.EffectRow(("emit",))
    assert twice.expr_body and twice.body == ast.Binary("*", ast.Name("n"), ast.IntLit(2))  # type: ignore[union-attr]
    assert ext.is_extern and ext.is_pub and ext.body is None  # type: ignore[union-attr]
    assert take.where is not None  # type: ignore[union-attr]
    assert cell.span.line == 1 and cell.span.end_line == 3


def test_records_enums_aliases_consts() -> None:
    rec, enum, alias, gadt, const = items("""\
        record Order
          id: String
          qty: Int = 1 where qty > 0
          note: String? = null
        end
        enum Shape
          Dot
          Disc(radius: Float)
          Rect(Float, Float)
          Unit()

          cell area(self: Shape) -> Float
            return 0.0
          end
        end
        type Percent = Int where Percent >= 0
        enum Expr[T]
          Num(Int) -> Expr[Int]
        end
        const LIMIT: Int = 100
    """)
    assert isinstance(rec, ast.RecordDecl) and rec.fields[1].where is not None
    assert rec.fields[2].type == ast.OptionalType(ast.NamedType("String"))
    assert isinstance(enum, ast.EnumDecl) and [v.fields for v in enum.variants][0] is None
    assert enum.variants[1].fields == (ast.VariantField(ast.NamedType("Float"), "radius"),)
    assert enum.variants[3].fields == ()
    assert enum.methods[0].name == "area"
    assert isinstance(alias, ast.TypeAlias) and alias.where is not None
    assert gadt.variants[0].result == ast.NamedType("Expr", (ast.NamedType("Int"),))  # type: ignore[union-attr]
    assert const == ast.ConstDecl("LIMIT", ast.IntLit(100), ast.NamedType("Int"))


def test_traits_impls_imports_tools() -> None:
    decls = items("""\
        trait Describe: Show + Eq
          cell describe(self: Self) -> String
        end
        impl[T] Describe for Box[T]
          cell describe(self: Box[T]) -> String = "box"
        end
        import geometry.shapes: Circle, area as shape_area
        import util: *
        pub import util.strings: slugify granting { fs: read_only }
        use tool llm.chat as Chat
        use tool http.get@2.1 as Fetch
        use tool mcp "https://mcp.example.org/sse" as Remote
        grant Fetch domain "*.example.com" timeout_ms 5000
        grant Chat
          model "gpt-4o"
          max_tokens 1024
          effects ["llm", "trace"]
        bind effect Clock.now to NowTool
    """)
    trait, impl, imp1, imp2, imp3, tool1, tool2, tool3, grant1, grant2, bind = decls
    assert trait.parents == ("Show", "Eq") and trait.methods[0].body is None  # type: ignore[union-attr]
    assert impl == ast.ImplDecl("Describe", "Box", impl.methods, (ast.NamedType("T"),), (ast.Generic("T"),))  # type: ignore[union-attr]
    assert imp1.names == (ast.ImportName("Circle"), ast.ImportName("area", "shape_area"))  # type: ignore[union-attr]
    assert imp2.names is None  # type: ignore[union-attr]
    assert imp3.is_pub and imp3.granting == "fs: read_only"  # type: ignore[union-attr]
    assert tool2 == ast.UseTool("Fetch", "http.get", "2.1")
    assert tool3 == ast.UseTool("Remote", mcp_uri="https://mcp.example.org/sse")
    assert grant1.constraints[0] == ast.GrantConstraint("domain", ast.StringLit("*.example.com"))  # type: ignore[union-attr]
    assert grant2.block and len(grant2.constraints) == 3  # type: ignore[union-attr]
    assert bind == ast.BindEffect("Clock.now", "NowTool")
    assert tool1 == ast.UseTool("Chat", "llm.chat")


def test_effects_handlers_agents() -> None:
    effect, handler, agent = items("""\
        effect Store
          cell get(key: String) -> String?
        end
        handler MemoryStore
          handle Store.get(key: String) -> String?
            return null
          end
        end
        agent Helper
          grant Llm max_tokens 256
          @must_use
          cell reply(text: String) -> String / {llm}
            return Llm(prompt: text)
          end
        end
    """)
    assert isinstance(effect, ast.EffectDecl) and effect.operations[0].body is None
    assert handler.ops[0].effect == "Store" and handler.ops[0].op == "get"  # type: ignore[union-attr]
    assert agent.grants[0].alias == "Llm"  # type: ignore[union-attr]
    assert agent.cells[0].attributes == (ast.Attribute("must_use"),)  # type: ignore[union-attr]


def test_processes() -> None:
    machine, pipeline, memory, guard = items("""\
        machine Door
          initial: Closed
          state Closed(tries: Int)
            guard: tries < 3
            transition Open(tries + 1)
            on_enter
              log("x")
            end
          end
          state Open(tries: Int)
            terminal: true
          end
        end
        pipeline Loud
          stages:
            tidy
              -> shout
              -> Loud.count
          end
        end
        memory Notes: short_term
        end
        guardrail Safe
          schema: "Order"
        end
    """)
    assert isinstance(machine, ast.ProcessDecl) and machine.initial == "Closed"
    closed = machine.states[0]
    assert closed.transition == "Open" and closed.guard is not None and len(closed.handlers) == 1
    assert machine.states[1].terminal is True
    assert pipeline.stages == ("tidy", "shout", "Loud.count")  # type: ignore[union-attr]
    assert memory.header_rest == ": short_term"  # type: ignore[union-attr]
    assert guard.config == (ast.ConfigEntry("schema", ast.StringLit("Order")),)  # type: ignore[union-attr]


def test_directives_attributes_macros() -> None:
    directive, feature, cell, macro, active = items("""\
        @strict false
        @feature "gadts"
        @test
        @deprecated("use other")
        cell test_x() = true
        macro twice!(e)
          $e + $e
        end
        active pattern Email(s: String) -> (String, String)?
          return null
        end
    """)
    assert directive == ast.Directive("strict", "false")
    assert feature == ast.Directive("feature", "gadts")
    assert cell.attributes == (ast.Attribute("test"), ast.Attribute("deprecated", '"use other"'))  # type: ignore[union-attr]
    assert macro == ast.MacroDecl("twice", ("e",), "  $e + $e")
    assert active.attributes == (ast.Attribute("active_pattern"),)  # type: ignore[union-attr]
