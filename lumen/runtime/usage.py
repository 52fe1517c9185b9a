"""Token accounting of one run (issue 6): totals per provider and model, an estimated cost
from the configured prices, and the run-wide token budget.

- Counts come from the provider's usage report; a provider that reports none estimates
  (~4 characters a token) and marks the result `tokens_estimated`, so totals built on
  estimates say so.
- Prices: `price_in_per_1k` / `price_out_per_1k` under `[providers.config.NAME]` (any unit
  of money, per 1000 tokens); an unpriced provider (a local model) costs 0.
- Budget: `[budget] max_tokens` in lumen.toml, `--max-tokens N` (or `--set
  budget.max_tokens=N`, `LUMEN_SET`). Tokens in and out both count. A call is refused once
  the budget is spent, and the call that overspends it ends the run after it is recorded:
  `tool call error: token budget exceeded for 'max_tokens': …` (error kind BudgetExceeded).
- Results served from the tool-result cache spent nothing and count nothing; replayed
  results count as recorded, so a replay stops where the original run stopped.

`lumen run --verbose` prints `summary_lines()` on stderr; the trace's `run_end` holds
`totals()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lumen.runtime.calls import ToolError, ToolResult

PRICE_IN = "price_in_per_1k"
PRICE_OUT = "price_out_per_1k"


@dataclass(slots=True)
class ModelTotals:
    """What the calls of one provider and model spent."""

    provider: str
    model: str
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    estimated: bool = False  # some counts are estimates, not the provider's report
    cost: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"provider": self.provider, "model": self.model, "calls": self.calls,
                "tokens_in": self.tokens_in, "tokens_out": self.tokens_out,
                "estimated": self.estimated, "cost": round(self.cost, 6)}


def budget_exceeded(used: int, limit: int) -> ToolError:
    return ToolError(
        "BudgetExceeded",
        f"token budget exceeded for 'max_tokens': {used} tokens used, limit {limit}",
        "raise max_tokens under [budget] in lumen.toml (or pass --max-tokens N), or make "
        "the program ask for less")


class UsageLedger:
    """Running token totals of one run, checked against the budget.

    `prices(provider)` gives (price in, price out) per 1000 tokens."""

    def __init__(self, prices: Callable[[str], tuple[float, float]],
                 max_tokens: int | None = None) -> None:
        self.prices = prices
        self.max_tokens = max_tokens
        self.by_model: dict[tuple[str, str], ModelTotals] = {}

    @property
    def used(self) -> int:
        return sum(t.tokens_in + t.tokens_out for t in self.by_model.values())

    def check_budget(self) -> None:
        """Before a call: refuse it when the budget is already spent."""
        if self.max_tokens is not None and self.used >= self.max_tokens:
            raise budget_exceeded(self.used, self.max_tokens)

    def add(self, result: ToolResult) -> None:
        """Count one answered call; raises BudgetExceeded when it overspent the budget."""
        if result.cached or (result.tokens_in is None and result.tokens_out is None):
            return  # a cache hit, or a tool that is no model (fs, http, crypto, …)
        model = result.model or "?"
        totals = self.by_model.get((result.provider, model))
        if totals is None:
            totals = self.by_model[(result.provider, model)] = ModelTotals(result.provider, model)
        tokens_in, tokens_out = result.tokens_in or 0, result.tokens_out or 0
        totals.calls += 1
        totals.tokens_in += tokens_in
        totals.tokens_out += tokens_out
        totals.estimated = totals.estimated or result.tokens_estimated
        price_in, price_out = self.prices(result.provider)
        totals.cost += (tokens_in * price_in + tokens_out * price_out) / 1000
        if self.max_tokens is not None and self.used > self.max_tokens:
            raise budget_exceeded(self.used, self.max_tokens)

    def totals(self) -> dict[str, Any]:
        """For the trace's run_end: the sums, the budget and one entry per model."""
        models = sorted(self.by_model.values(), key=lambda t: (t.provider, t.model))
        return {
            "tokens_in": sum(t.tokens_in for t in models),
            "tokens_out": sum(t.tokens_out for t in models),
            "tokens_estimated": any(t.estimated for t in models),
            "cost": round(sum(t.cost for t in models), 6),
            "max_tokens": self.max_tokens,
            "models": [t.as_json() for t in models],
        }

    def summary_lines(self, calls: int, failures: int) -> list[str]:
        """What `lumen run --verbose` prints: one line for the run, one per model."""
        totals = self.totals()
        marker = " (estimated)" if totals["tokens_estimated"] else ""
        budget = f" of budget {self.max_tokens}" if self.max_tokens is not None else ""
        lines = [f"lumen: tools: {calls} call(s), {failures} failed; tokens: "
                 f"{totals['tokens_in']} in, {totals['tokens_out']} out{marker}{budget}; "
                 f"estimated cost {_money(totals['cost'])}"]
        for entry in totals["models"]:
            estimated = ", estimated" if entry["estimated"] else ""
            lines.append(f"lumen:   {entry['provider']} {entry['model']}: {entry['calls']} "
                         f"call(s), {entry['tokens_in']} in, {entry['tokens_out']} out"
                         f"{estimated}, cost {_money(entry['cost'])}")
        return lines


def _money(value: float) -> str:
    return f"{value:.4f}"


def provider_prices(settings: Mapping[str, Mapping[str, Any]]) -> Callable[[str], tuple[float, float]]:
    """Prices per 1000 tokens from `[providers.config.NAME]` settings (0 when unset)."""
    def prices(provider: str) -> tuple[float, float]:
        table = settings.get(provider) or {}
        return (_number(table.get(PRICE_IN)), _number(table.get(PRICE_OUT)))
    return prices


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0

