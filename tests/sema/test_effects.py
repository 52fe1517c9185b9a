"""Effects (§11.2-§11.4): E0106, E0107, E0108, E0109."""

from __future__ import annotations

from tests.sema.conftest import analyse_source, errors_of


def test_undeclared_effect_with_cause() -> None:
    diags = analyse_source("""
        effect Metric
          cell count(name: String) -> Null
        end
        effect Audit
          cell note(text: String) -> Null
        end
        cell track() -> Int / {Audit}
          perform Metric.count("hits")
          return 1
        end
    """)
    assert [(d.code, d.message) for d in diags] == [(
        "E0107",
        "cell 'track' performs effect 'metric' but it is not declared in its effect row "
        "(line 8); cause: perform 'Metric.count'",
    )]
    assert diags[0].span.line == 8


def test_inferred_effects_propagate_through_undeclared_cells() -> None:
    assert errors_of("""
        cell shout(s: String)
          print(s)
        end
        cell quiet() -> Int / {}
          shout("x")
          return 1
        end
        cell fine() -> Int / {emit}
          shout("y")
          return 2
        end
    """) == [(
        "E0107",
        "cell 'quiet' performs effect 'emit' but it is not declared in its effect row "
        "(line 5); cause: call to 'shout' (line 5) -> call to 'print' (line 2)",
    )]


def test_effect_contract_violation() -> None:
    assert errors_of("""
        cell loud() -> Int / {emit}
          print("hi")
          return 1
        end
        cell caller() -> Int / {async}
          return loud()
        end
    """) == [(
        "E0108",
        "cell 'caller' calls 'loud' which requires effect 'emit' not present in caller "
        "effect row (line 6)",
    )]


def test_rows_not_enforced_outside_strict_mode() -> None:
    source = """
        cell loud() -> Int / {emit}
          print("hi")
          return 1
        end
        cell caller() -> Int / {async}
          return loud()
        end
    """
    assert errors_of(source, strict="false") == []


def test_missing_grant_and_grants_that_cover() -> None:
    assert errors_of("""
        use tool http.get as Fetch
        cell get(u: String) -> Any
          return Fetch(url: u)
        end
    """) == [(
        "E0106",
        "cell 'get' requires effect 'external' but no compatible grant is in scope (line 3)",
    )]
    assert errors_of("""
        use tool http.get as Fetch
        grant Fetch domain "*.example.com"
        cell get(u: String) -> Any / {external}
          return Fetch(url: u)
        end
    """) == []
    assert errors_of("""
        use tool llm.chat as Chat
        agent Helper
          grant Chat
            effects ["llm"]
          cell reply(text: String) -> String / {llm}
            return Chat(prompt: text)
          end
        end
    """) == []


def test_doc_mode_skips_grant_check() -> None:
    assert errors_of("""
        use tool http.get as Fetch
        cell get(u: String) -> Any = Fetch(url: u)
    """, doc_mode="true") == []


def test_deterministic_mode() -> None:
    source = """
        cell roll() -> Int
          return random_int(1, 6)
        end
        cell stable() -> Int = 4
    """
    assert errors_of(source) == []
    assert errors_of(source, deterministic="true") == [(
        "E0109",
        "cell 'roll' uses nondeterministic operation/effect 'random' under @deterministic "
        "(line 2)",
    )]


def test_grant_and_binding_for_undeclared_tool() -> None:
    assert errors_of("""
        effect Store
          cell get(key: String) -> String?
        end
        grant Nowhere
        bind effect Store to Missing
    """) == [
        ("E0104", "undefined tool alias 'Nowhere'"),
        ("E0104", "undefined tool alias 'Missing'"),
    ]


def test_undeclared_effect_cause_traces_the_call_chain_to_the_perform() -> None:
    source = """
effect Metric
  cell count(name: String) -> Null
end

cell inner() -> Int
  perform Metric.count("hits")
  return 1
end

cell middle() -> Int
  return inner()
end

cell outer() -> Int / {emit}
  return middle()
end
"""
    ((code, message),) = errors_of(source)
    assert code == "E0107"
    assert message.endswith(
        "cause: call to 'middle' (line 15) -> 'inner' (line 11) -> perform 'Metric.count' (line 6)"
    )
