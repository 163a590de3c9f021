"""The portable planner: (indicators, options) → the groups to run and the inputs they need, and the
ibis expressions of both over a store.

Nothing here executes a query: an executor (:mod:`jiqun.metrics.executors`) decides which inputs to
materialise (and may supply faster tables under the same names), then runs the groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

import ibis
from ibis import _

from .base import LONG_COLUMNS, Options
from .inputs import StoreFacts
from .registry import IndicatorGroup, engine_inputs, indicator_groups


class UnknownIndicatorError(ValueError):
    """An indicator id that no group produces (the message lists the valid ids)."""


@dataclass(frozen=True)
class Plan:
    """What to compute: the ``groups`` producing ``indicators`` (None: the whole catalogue) and every
    input they need, directly or through other inputs (``inputs``, dependencies first)."""

    groups: tuple[IndicatorGroup, ...]
    inputs: tuple[str, ...]
    opts: Options
    indicators: tuple[str, ...] | None = None

    def needs(self, *names: str) -> bool:
        """Whether the plan reads any of ``names``."""
        return bool(set(names) & set(self.inputs))

    def readers(self, name: str) -> int:
        """How many groups and inputs of the plan read ``name`` (an input read more than once is worth
        materialising)."""
        specs = engine_inputs()
        return (sum(name in g.reads for g in self.groups)
                + sum(name in specs[i].reads for i in self.inputs if not specs[i].is_source))


def plan_indicators(indicators=None, opts: Options | None = None) -> Plan:
    """The plan for ``indicators`` (ids; None: all) under ``opts``.

    Raises
    ------
    UnknownIndicatorError
        An id is produced by no group.
    """
    opts = opts or Options()
    groups = indicator_groups()
    wanted = None if indicators is None else tuple(dict.fromkeys(indicators))
    if wanted is not None:
        known = {i for g in groups.values() for i in g.ids}
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise UnknownIndicatorError(f"unknown indicator id(s) {', '.join(unknown)}; valid ids: "
                                        + ", ".join(sorted(known)))
        chosen = tuple(g for g in groups.values() if set(g.ids) & set(wanted))
    else:
        chosen = tuple(groups.values())
    return Plan(chosen, _closure([r for g in chosen for r in g.reads]), opts, wanted)


def _closure(names) -> tuple[str, ...]:
    """``names`` and every input they are derived from, dependencies first."""
    specs = engine_inputs()
    ordered: dict[str, None] = {}

    def visit(name: str) -> None:
        if name in ordered:
            return
        for read in specs[name].reads:
            visit(read)
        ordered[name] = None

    for name in names:
        visit(name)
    return tuple(ordered)


class InputResolver(Mapping):
    """The plan's inputs as ibis tables, built on demand from the registry's portable builders on top
    of the tables an executor ``given`` (those win: an input derived from a given table is built on
    it). ``materialise(name, table)``, when set, is applied to each table built here and returns the
    table to use (e.g. ``table.cache()``)."""

    def __init__(self, con, plan: Plan, facts: StoreFacts, given: Mapping | None = None, materialise=None):
        self._con, self._plan, self._facts = con, plan, facts
        self._tables = dict(given or {})
        self._materialise = materialise
        self._specs = engine_inputs()

    def __getitem__(self, name: str) -> ibis.Table:
        if name not in self._tables:
            spec = self._specs[name]
            if spec.is_source:
                table = spec.build(self._con, self._plan.opts, self._facts)
            else:
                table = spec.build({read: self[read] for read in spec.reads}, self._plan.opts)
            if self._materialise is not None:
                table = self._materialise(name, table)
            self._tables[name] = table
        return self._tables[name]

    def resolve_all(self) -> "InputResolver":
        """Build every input of the plan now (building reads table schemas from the connection, which
        must not happen in another thread while a query runs)."""
        for name in self._plan.inputs:
            self[name]
        return self

    def __iter__(self):
        return iter(self._plan.inputs)

    def __len__(self):
        return len(self._plan.inputs)


def group_expressions(plan: Plan, tables: Mapping) -> Iterator[tuple[str, ibis.Table]]:
    """Yield ``(group name, long table)`` for each group of ``plan`` that applies, built from
    ``tables`` (an :class:`InputResolver` or a dict of every input the groups read): columns
    :data:`jiqun.metrics.base.LONG_COLUMNS`, int64 years, only the asked-for ids."""
    for group in plan.groups:
        part = group.build({read: tables[read] for read in group.reads}, plan.opts)
        if part is None:
            continue
        part = part.select(*LONG_COLUMNS).mutate(year=_.year.cast("int64"))
        if plan.indicators is not None and not set(group.ids) <= set(plan.indicators):
            part = part.filter(_.indicator.isin(plan.indicators))
        yield group.name, part
