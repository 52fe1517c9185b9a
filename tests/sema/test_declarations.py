"""Traits (E0103, E0124, E0125), machines (E0110-E0117), pipelines (E0118-E0120), E0209."""

from __future__ import annotations

from tests.sema.conftest import errors_of


def test_traits() -> None:
    assert errors_of("""
        trait Describe: Showable
          cell describe(self: Self) -> String
          cell size(self: Self) -> Int
        end
        record Order
          id: String
        end
        impl Describe for Order
          cell describe(self: Order) -> Int = 1
        end
        impl Missing for Order
          cell x(self: Order) -> Int = 1
        end
        cell f[T: Nope](x: T) -> T = x
    """) == [
        ("E0103", "undefined trait 'Showable'"),
        ("E0124", "impl for trait 'Describe' on 'Order' is missing required methods [\"size\"]"),
        ("E0125", "impl method 'describe' for trait 'Describe' on 'Order' has incompatible "
                  "signature: return type is Int, expected String. expected "
                  "`describe(self: Self) -> String`, found `describe(self: Order) -> Int`"),
        ("E0103", "undefined trait 'Missing'"),
        ("E0103", "undefined trait 'Nope'"),
    ]


def test_good_impl_is_quiet() -> None:
    assert errors_of("""
        trait Describe
          cell describe(self: Self) -> String
        end
        record Order
          id: String
        end
        impl Describe for Order
          cell describe(self: Order) -> String = "order {self.id}"
        end
        cell main() -> String = Order(id: "a").describe()
    """) == []


def test_machine_rules() -> None:
    codes = [c for c, _ in errors_of("""
        machine Door
          initial: Shut
          state Closed(tries: Int)
            guard: tries + 1
            transition Open(tries + 1, 2)
          end
          state Open(tries: Int)
            guard: length(tries) > 0
            transition Gone()
          end
          state Lost
          end
        end
    """)]
    assert sorted(codes) == sorted(
        ["E0110", "E0117", "E0114", "E0116", "E0111", "E0113"]
    )


def test_good_machine_is_quiet() -> None:
    assert errors_of("""
        machine Door
          initial: Closed
          state Closed(tries: Int)
            guard: tries < 3
            transition Open(tries + 1)
          end
          state Open(tries: Int)
            terminal: true
          end
        end
    """) == []


def test_pipeline_rules() -> None:
    assert errors_of("""
        cell clean(s: String) -> String = s
        cell count(s: Int) -> Int = s
        cell two(a: Int, b: Int) -> Int = a
        pipeline Ingest
          stages:
            -> clean
            -> count
            -> two
            -> nowhere
          end
        end
    """) == [
        ("E0119", "pipeline 'Ingest' stage 'two' must take exactly one data parameter, it takes 2"),
        ("E0118", "pipeline 'Ingest' references unknown stage cell 'nowhere'"),
        ("E0120", "pipeline 'Ingest' stage 'clean' returns String but stage 'count' expects Int"),
    ]


def test_must_use() -> None:
    assert errors_of("""
        @must_use
        cell important() -> Int = 1
        cell main() -> Int
          important()
          let x = important()
          important()
        end
    """) == [("E0209", "unused result of @must_use cell 'important'")]
