"""Processes and agents at run time (§5.9, §13): instances, memory, pipelines, orchestration,
guardrail, eval, pattern. Machines are in `test_processes_machine.py`."""

from __future__ import annotations

import pytest

from lumen.lir.serialize import dumps, loads
from lumen.vm.errors import LumenRuntimeError
from lumen.vm.interpreter import VM
from lumen.vm.render import display
from lumen.vm.values import Record
from tests.vm.run_helpers import compile_source, run_source


def value_of(source: str) -> object:
    return run_source(source)[0]


def error_of(source: str) -> LumenRuntimeError:
    with pytest.raises(LumenRuntimeError) as info:
        run_source(source)
    return info.value


# ------------------------------------------------------------------ instances (§13.1, §5.9)

AGENT = """
    agent Helper
      cell reply(text: String) -> String
        return "re: " + text
      end
      cell twice(text: String) -> String
        return self.reply(self.reply(text))
      end
    end
"""


def test_agent_instance_is_a_record_with_id_name_and_method_fields() -> None:
    value = value_of(AGENT + """
        cell main() -> Any = Helper()
    """)
    assert isinstance(value, Record) and value.type_name == "Helper"
    assert sorted(value.fields) == ["__instance_id", "__process_name", "reply", "twice"]
    assert value.fields["__process_name"] == "Helper"
    assert display(value) == ("Helper(__instance_id: 1, __process_name: \"Helper\", "
                              "reply: <closure:Helper.reply>, twice: <closure:Helper.twice>)")


def test_agent_methods_receive_self_and_type_name_call_makes_fresh_instance() -> None:
    assert value_of(AGENT + """
        cell main() -> Any
          let h = Helper()
          let f = h.reply
          return [h.reply("a"), h.twice("b"), Helper.reply("c"), f(h, "d"), type_of(h)]
        end
    """) == ["re: a", "re: re: b", "re: c", "re: d", "Helper"]


def test_agent_cells_are_not_top_level_cells() -> None:
    error = error_of(AGENT + """
        cell main() -> Any = reply("x")
    """)
    assert error.message == "undefined cell: reply"


def test_two_constructions_are_independent_and_copies_share_state() -> None:
    assert value_of("""
        memory Buffer
        end
        cell fill(b: Buffer) -> Int
          b.append("from callee")
          return 0
        end
        cell main() -> Any
          let a = Buffer()
          let b = Buffer()
          let alias = a
          a.append(1)
          alias.append(2)
          fill(a)
          let kept = [a]
          kept[0].append(3)
          return [length(a.recent(10)), length(b.recent(10)), a == alias, a == b]
        end
    """) == [4, 0, True, False]


def test_unknown_method_on_type_name_and_on_instance() -> None:
    memory = "memory Notes\nend\n"
    assert error_of(memory + "cell main() -> Any = Notes.nope()").message == \
        "undefined cell: Notes.nope"
    assert error_of(memory + """
        cell main() -> Any
          let n = Notes()
          return n.nope()
        end
    """).message == "undefined cell: Notes.nope"


def test_builtin_method_without_instance_is_a_type_error() -> None:
    error = error_of("""
        memory Notes
        end
        cell main() -> Any
          let n = Notes()
          let f = n.append
          return f("not an instance")
        end
    """)
    assert error.kind == "type"
    assert error.message == ("type error at runtime: Notes.append requires a process "
                             "instance as the first argument")


def test_user_cell_shadows_builtin_method() -> None:
    assert value_of("""
        memory Notes
          cell append(x: Int) -> Int = x + 1
        end
        cell main() -> Any
          let n = Notes()
          return [n.append(1), n.recent(5)]
        end
    """) == [2, []]


# ------------------------------------------------------------------ memory (§13.2)


def test_memory_log_methods() -> None:
    assert value_of("""
        memory Journal
        end
        cell main() -> Any
          let j = Journal()
          for i in 1..=12
            j.append(i)
          end
          j.remember("last")
          return [j.recent(2), length(j.recent()), j.recent(0), j.recent(-1),
                  j.recall(), j.recall(3), j.recall("query", 2), length(j.recent(99))]
        end
    """) == [[12, "last"], 10, [], [], [9, 10, 11, 12, "last"], [11, 12, "last"],
             [12, "last"], 13]


def test_memory_key_value_methods() -> None:
    assert value_of("""
        memory Facts
        end
        cell main() -> Any
          let f = Facts()
          f.store("user", "ada")
          f.upsert("user", "grace")
          f.store("b", 2)
          f.store(1, "one")
          f.store("a_user", [1])
          return [f.get("user"), f.get("1"), f.get("missing"), f.query(), f.query("user")]
        end
    """) == ["grace", "one", None, ["one", [1], 2, "grace"], [[1], "grace"]]


def test_memory_returns_values_not_shared_containers() -> None:
    assert value_of("""
        memory Facts
        end
        cell main() -> Any
          let f = Facts()
          f.store("xs", [1])
          let xs = f.get("xs")
          xs[0] = 99
          let log = f.recent()
          log = append(log, 5)
          return [f.get("xs"), f.recent()]
        end
    """) == [[1], []]


# ------------------------------------------------------------------ pipeline (§13.4)

STAGES = """
    cell tidy(s: String) -> String = trim(s)
    cell shout(s: String) -> String = upper(s)
"""


def test_pipeline_chains_stages_with_process_cells_first() -> None:
    assert value_of(STAGES + """
        pipeline Loud
          stages:
            tidy
              -> shout
              -> exclaim
              -> Loud.tag
          end
          cell exclaim(s: String) -> String = s + "!"
          cell tag(s: String) -> String = s + " #" + string(self.__process_name)
        end
        cell exclaim(s: String) -> String = s + "?"
        cell main() -> Any = [Loud().run("  hey "), Loud.run(" yo ")]
    """) == ["HEY! #Loud", "YO! #Loud"]


def test_pipeline_without_stages_returns_input_and_user_run_replaces() -> None:
    assert value_of("""
        pipeline Same
        end
        pipeline Offset
          stages:
            twice
          end
          cell run(x: Int) -> Int = x + 100
        end
        cell twice(x: Int) -> Int = x * 2
        cell main() -> Any = [Same().run(7), Offset().run(5)]
    """) == [7, 105]


def test_pipeline_stage_of_another_process_gets_a_fresh_instance() -> None:
    assert value_of("""
        agent Counter
          cell inc(x: Int) -> Int = x + 1
        end
        pipeline P
          stages:
            Counter.inc
            -> Counter.inc
          end
        end
        cell main() -> Any = P().run(1)
    """) == 3


def test_pipeline_stage_errors_propagate() -> None:
    error = error_of("""
        cell boom(x: Int) -> Int = x / 0
        pipeline P
          stages:
            boom
          end
        end
        cell main() -> Any = P().run(1)
    """)
    assert error.message == "division by zero"


# ------------------------------------------------------------------ orchestration (§13.5)


def test_orchestration_calls_every_stage_with_the_same_input() -> None:
    assert value_of("""
        cell ident(x: Int) -> Int = x
        cell double(x: Int) -> Int = x * 2
        orchestration Fan
          stages:
            ident
            -> double
            -> square
          end
          cell square(x: Int) -> Int = x * x
        end
        orchestration Nothing
        end
        cell main() -> Any = [Fan().run(4), Fan.run(5), Nothing().run(1)]
    """) == [[4, 8, 16], [5, 10, 25], []]


# ------------------------------------------------------------------ guardrail, eval, pattern (§13.6)


def test_guardrail_with_and_without_schema() -> None:
    assert value_of("""
        record Invoice
          total: Int
        end
        guardrail OnlyInt
          schema: "Int"
        end
        guardrail OnlyInvoice
          schema: "Invoice"
        end
        guardrail Open
        end
        cell main() -> Any
          return [OnlyInt().run(3), OnlyInvoice().run(Invoice(total: 1)).total, Open().run("x")]
        end
    """) == [3, 1, "x"]
    error = error_of("""
        guardrail OnlyInt
          schema: "Int"
        end
        cell main() -> Any = OnlyInt().run(3.5)
    """)
    assert error.message == "Guardrail violation: value does not match schema 'Int'"


def test_eval_source_compiles_a_cell_body() -> None:
    assert value_of('''
        eval Doubler
          source: "input * 2"
        end
        eval Steps
          source: """
            let y = input + 1
            y * 10
          """
        end
        cell main() -> Any = [Doubler().run(21), Doubler.run(1.5), Steps().run(1)]
    ''') == [42, 3.0, 20]


def test_eval_source_sees_program_cells_and_shares_process_state() -> None:
    assert value_of("""
        cell triple(x: Int) -> Int = x * 3
        record Box
          v: Int
        end
        memory Log
        end
        eval Use
          source: "[triple(input.v), map([1, 2], triple), Box(v: 1).v, input.log.append(7)]"
        end
        cell main() -> Any
          let log = Log()
          let r = Use().run({"v": 2, "log": log})
          let again = Use().run({"v": 5, "log": log})
          return [r, again[0], log.recent()]
        end
    """) == [[6, [3, 6], 1, None], 15, [7, 7]]


def test_eval_compilation_failure() -> None:
    error = error_of("""
        eval Bad
          source: "input +"
        end
        cell main() -> Any = Bad().run(1)
    """)
    assert error.message.startswith("eval compilation failed: ")


def test_eval_without_source_calls_the_named_cell() -> None:
    assert value_of("""
        cell add(a: Int, b: Int) -> Int = a + b
        eval Caller
        end
        cell main() -> Any = [Caller().run("add", 2, 3), Caller().run("upper", "x")]
    """) == [5, "X"]
    assert error_of("""
        eval Caller
        end
        cell main() -> Any = Caller().run("nothing_here")
    """).message == "undefined cell: nothing_here"


def test_pattern_captures() -> None:
    assert value_of("""
        pattern Route
          pattern: "/users/{id}/posts/{post}"
        end
        pattern Greeting
          pattern: "hello {name}!"
        end
        pattern Exact
          pattern: "ping"
        end
        pattern Unset
        end
        cell main() -> Any
          return [Route().run("/users/42/posts/7"), Route().run("/users/42"),
                  Greeting().run("hello ada lovelace!"), Greeting().run("hello ada"),
                  Exact().run("ping"), Exact().run("pong"), Unset().run("x")]
        end
    """) == [{"id": "42", "post": "7"}, None, {"name": "ada lovelace"}, None, {}, None,
             None]


# ------------------------------------------------------------------ serialisation


def test_process_module_survives_serialisation() -> None:
    module = compile_source("""
        memory Notes
        end
        machine M
          state A(x: Int)
            guard: x > 0
            transition B(x - 1, "done")
          end
          state B(x: Int, why: String)
            terminal: true
          end
        end
        cell main() -> Any
          let n = Notes()
          n.append(1)
          let m = M()
          m.start(2)
          return [n.recent(), m.run().payload]
        end
    """)
    restored = loads(dumps(module))
    assert VM(restored).run("main") == [[1], {"x": 1, "why": "done"}]
