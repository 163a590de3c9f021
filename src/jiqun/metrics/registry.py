"""The engine's two registries: indicator groups and the inputs they read, each declared once.

An **indicator group** is one query that produces a few catalogue indicators from named inputs. It
is declared next to its formulas with :func:`indicator_group`::

    @indicator_group("scale", ids=("output_value", ...), reads=("totals",))
    def scale_group(tables, opts):
        return scale_indicators(tables["totals"])

An **input** is a named ibis table the groups share: a *source* input is read from the store
(:func:`source_input`, builder ``(con, opts)``), a *derived* input is built from other inputs
(:func:`derived_input`, builder ``(tables, opts)``). The portable builders are the definition of
each input; a backend executor may supply a faster table under the same name (same columns and
rows, keys possibly re-encoded), see :mod:`jiqun.metrics.planner`.

Adding an indicator to an existing group touches its formula module (the formula and the id in
its ``indicator_group``), ``data/indicators.yaml`` and the tests; nothing else.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

#: The modules whose import declares the groups and inputs (formula modules, in catalogue order).
GROUP_MODULES = ("inputs", "scale", "growth", "specialisation", "concentration", "leading", "innovation",
                 "openness", "chain", "quality", "standing")


@dataclass(frozen=True)
class IndicatorGroup:
    """One query of the catalogue: ``ids`` it produces from the inputs it ``reads``.

    ``build(tables, opts)`` returns a long table with
    :data:`jiqun.metrics.base.LONG_COLUMNS` (or None where the group does not apply to
    ``opts``, e.g. a city-level measure asked for the province only)."""

    name: str
    ids: tuple[str, ...]
    reads: tuple[str, ...]
    build: Callable


@dataclass(frozen=True)
class InputSpec:
    """A named input: ``reads`` = () for a source input (``build(con, opts)``), else the inputs it
    is derived from (``build(tables, opts)``)."""

    name: str
    reads: tuple[str, ...]
    build: Callable

    @property
    def is_source(self) -> bool:
        return not self.reads


_GROUPS: dict[str, IndicatorGroup] = {}
_INPUTS: dict[str, InputSpec] = {}


class RegistryError(ValueError):
    """A group or input is declared twice, or reads an input nobody declares."""


def indicator_group(name: str, ids, reads):
    """Decorator: register ``build(tables, opts)`` as the indicator group ``name``."""
    def register(build):
        if name in _GROUPS and _GROUPS[name].build is not build:
            raise RegistryError(f"indicator group {name!r} is declared twice")
        _GROUPS[name] = IndicatorGroup(name, tuple(ids), tuple(reads), build)
        return build
    return register


def _register_input(name: str, reads: tuple[str, ...], build) -> None:
    if name in _INPUTS and _INPUTS[name].build is not build:
        raise RegistryError(f"engine input {name!r} is declared twice")
    _INPUTS[name] = InputSpec(name, reads, build)


def source_input(name: str):
    """Decorator: register ``build(con, opts)`` as the source input ``name`` (read from the store)."""
    def register(build):
        _register_input(name, (), build)
        return build
    return register


def derived_input(name: str, reads):
    """Decorator: register ``build(tables, opts)`` as the input ``name`` derived from ``reads``."""
    def register(build):
        if not reads:
            raise RegistryError(f"derived input {name!r} must read at least one input")
        _register_input(name, tuple(reads), build)
        return build
    return register


def _load() -> None:
    for module in GROUP_MODULES:
        importlib.import_module(f"{__package__}.{module}")


def indicator_groups() -> dict[str, IndicatorGroup]:
    """Every registered group by name, in declaration order."""
    _load()
    return dict(_GROUPS)


def engine_inputs() -> dict[str, InputSpec]:
    """Every registered input by name."""
    _load()
    return dict(_INPUTS)


def registry_ids() -> list[str]:
    """The indicator ids of all groups (the registry's view of the catalogue)."""
    return [i for group in indicator_groups().values() for i in group.ids]


def check_registry() -> None:
    """Raise :class:`RegistryError` when an id is produced by two groups or a group or input reads an
    undeclared input."""
    groups, inputs = indicator_groups(), engine_inputs()
    seen: dict[str, str] = {}
    for group in groups.values():
        for indicator in group.ids:
            if indicator in seen:
                raise RegistryError(f"indicator {indicator!r} is produced by groups {seen[indicator]!r} and "
                                    f"{group.name!r}")
            seen[indicator] = group.name
        missing = [r for r in group.reads if r not in inputs]
        if missing:
            raise RegistryError(f"group {group.name!r} reads undeclared inputs {missing}")
    for spec in inputs.values():
        missing = [r for r in spec.reads if r not in inputs]
        if missing:
            raise RegistryError(f"input {spec.name!r} reads undeclared inputs {missing}")
