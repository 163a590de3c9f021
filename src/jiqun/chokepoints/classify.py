"""The three classes of the chokepoint inventory (卡脖子清单分类) by explicit rules (``data/classes.yaml``).

Every placed item carries the class, the rule that placed it written out with the item's own numbers
(``rule_text``), and the measures the rules looked at (``evidence``), so that a reader can check it.
Pure functions: an items table in, the same table with the class columns out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SHIPPED = Path(__file__).with_name("data") / "classes.yaml"
_NO_VALUE = object()
SIGNS = {"above": ">", "at_least": "≥", "below": "<", "at_most": "≤", "is_true": "为真 is true"}


class ClassRulesError(ValueError):
    """A class-rules file that cannot be used (names the file, the class and the fix)."""


@dataclass(frozen=True)
class Condition:
    metric: str
    comparison: str
    threshold: float | None = None

    def holds(self, values: pd.Series) -> np.ndarray:
        """Whether the condition holds on each row (a missing measure never holds)."""
        if self.comparison == "is_true":
            return values.fillna(False).astype(bool).to_numpy()
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            result = {"above": numbers > self.threshold, "at_least": numbers >= self.threshold,
                      "below": numbers < self.threshold, "at_most": numbers <= self.threshold}[self.comparison]
        return result & ~np.isnan(numbers)

    def describe(self, value=_NO_VALUE) -> str:
        rule = f"{self.metric} {SIGNS[self.comparison]}" + ("" if self.threshold is None else f" {self.threshold:g}")
        if value is _NO_VALUE:
            return rule
        return f"{rule} ({_shown(value)})"


@dataclass(frozen=True)
class ItemClass:
    id: str
    name_zh: str
    name_en: str
    explain_zh: str = ""
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    def holds(self, items: pd.DataFrame) -> np.ndarray:
        result = np.ones(len(items), dtype=bool)
        for condition in self.all:
            result &= condition.holds(items[condition.metric])
        if self.any:
            result &= np.logical_or.reduce([c.holds(items[c.metric]) for c in self.any])
        return result

    def describe(self, row: pd.Series | None = None) -> str:
        value = (lambda c: _NO_VALUE if row is None else row.get(c.metric))
        parts = [c.describe(value(c)) for c in self.all]
        if self.any:
            parts.append("(" + " 或 or ".join(c.describe(value(c)) for c in self.any) + ")")
        return " 且 and ".join(parts) if parts else "其余进入清单的项目 every other item in the inventory"

    def first_failure(self, row: pd.Series) -> str:
        """The first condition that does not hold for ``row``, with its value (the whole ``any`` group)."""
        frame = row.to_frame().T
        for condition in self.all:
            if not condition.holds(frame[condition.metric])[0]:
                return f"{condition.describe(row.get(condition.metric))} 不成立 fails"
        if self.any:
            return "(" + " 或 or ".join(c.describe(row.get(c.metric)) for c in self.any) + ") 均不成立 all fail"
        return ""


@dataclass(frozen=True)
class ClassRules:
    screen_in: ItemClass
    classes: tuple[ItemClass, ...]
    window: dict = field(default_factory=dict)
    priority: dict = field(default_factory=dict)
    source: str = ""

    @property
    def metrics(self) -> list[str]:
        seen = []
        for rule in (self.screen_in, *self.classes):
            for condition in (*rule.all, *rule.any):
                if condition.metric not in seen:
                    seen.append(condition.metric)
        return seen


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "缺失 missing"
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    number = float(value)
    return f"{number:.3g}" if abs(number) < 1000 else f"{number:,.0f}"


def _conditions(entries, where: str) -> tuple[Condition, ...]:
    out = []
    for entry in entries or ():
        try:
            condition = Condition(str(entry["metric"]), str(entry["comparison"]),
                                  None if entry.get("threshold") is None else float(entry["threshold"]))
        except (TypeError, KeyError, ValueError) as exc:
            raise ClassRulesError(f"{where}: condition {entry!r} ({exc}) — give metric, comparison and a numeric "
                                  "threshold") from None
        if condition.comparison not in SIGNS:
            raise ClassRulesError(f"{where}: comparison {condition.comparison!r} must be one of {', '.join(SIGNS)}")
        if condition.comparison != "is_true" and condition.threshold is None:
            raise ClassRulesError(f"{where}: condition on {condition.metric!r} needs a threshold")
        out.append(condition)
    return tuple(out)


def parse_class_rules(data: dict, source: str = "class rules") -> ClassRules:
    """Validate parsed class rules (layout of ``data/classes.yaml``)."""
    if not isinstance(data, dict) or not isinstance(data.get("classes"), list) or not data["classes"]:
        raise ClassRulesError(f"{source}: expected 'classes:' as a list of classes (see the shipped classes.yaml)")
    classes = []
    for entry in data["classes"]:
        if not isinstance(entry, dict) or "id" not in entry:
            raise ClassRulesError(f"{source}: every class needs an id, name_zh and name_en; got {entry!r}")
        where = f"{source}, class {entry['id']!r}"
        classes.append(ItemClass(str(entry["id"]), str(entry.get("name_zh", entry["id"])),
                                 str(entry.get("name_en", entry["id"])), str(entry.get("explain_zh", "")),
                                 _conditions(entry.get("all"), where), _conditions(entry.get("any"), where)))
    ids = [c.id for c in classes]
    if len(set(ids)) != len(ids):
        raise ClassRulesError(f"{source}: class ids must be unique, got {ids}")
    screen = data.get("screen_in") or {}
    screen_in = ItemClass("screen_in", "进入清单", "enters the inventory", "",
                          _conditions(screen.get("all"), f"{source}, screen_in"),
                          _conditions(screen.get("any"), f"{source}, screen_in"))
    return ClassRules(screen_in, tuple(classes), dict(data.get("window") or {}), dict(data.get("priority") or {}),
                      source)


@lru_cache(maxsize=1)
def shipped_class_rules() -> ClassRules:
    with open(SHIPPED, encoding="utf-8") as handle:
        return parse_class_rules(yaml.safe_load(handle), str(SHIPPED))


def load_class_rules(choice=None) -> ClassRules:
    """The shipped rules (``None`` or ``"default"``), a YAML file's, or :class:`ClassRules` as given."""
    if choice is None or choice == "default":
        return shipped_class_rules()
    if isinstance(choice, ClassRules):
        return choice
    path = Path(str(choice))
    if path.suffix.lower() not in (".yaml", ".yml") or not path.exists():
        raise ClassRulesError(f"class rules {choice!r}: give 'default' or a YAML file that exists (layout of the "
                              "shipped chokepoints/data/classes.yaml)")
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_class_rules(yaml.safe_load(handle), str(path))
    except yaml.YAMLError as exc:
        raise ClassRulesError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None


def classify_items(items: pd.DataFrame, rules: ClassRules | None = None) -> pd.DataFrame:
    """Screen items into the inventory and place each in the first class whose rule holds.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per item with every measure the rules name (shipped rules: ``import_share``,
        ``dependent``, ``n_region_patents_3y``, ``import_hhi``, ``top_origin_share``, ``rta``,
        ``region_patent_growth``); other columns are kept.
    rules : ClassRules, optional
        Default: the shipped ``data/classes.yaml``.

    Returns
    -------
    pandas.DataFrame
        The items that screen in, with ``class``, ``class_zh``, ``rule_text`` (the placing rule with the
        item's values), ``screen_text`` (why it entered) and ``evidence`` (dict: every measure the rules
        name, the class and the rule); an item no class takes gets ``class`` ``unclassified``.
    """
    rules = rules or shipped_class_rules()
    missing = [m for m in rules.metrics if m not in items.columns]
    if missing:
        raise ClassRulesError(f"{rules.source}: the items lack measure(s) {missing}; known columns: "
                              f"{', '.join(map(str, items.columns))}")
    kept = items[rules.screen_in.holds(items)].reset_index(drop=True)
    placed = np.full(len(kept), "unclassified", dtype=object)
    for item_class in reversed(rules.classes):  # the first class that holds wins
        placed = np.where(item_class.holds(kept), item_class.id, placed)
    by_id = {c.id: c for c in rules.classes}
    kept["class"] = placed
    kept["class_zh"] = [by_id[c].name_zh if c in by_id else "未分类" for c in placed]
    rows = [row for _index, row in kept.iterrows()]
    kept["screen_text"] = [rules.screen_in.describe(row) for row in rows]
    kept["rule_text"] = [_rule_text(rules, by_id.get(c), row) for c, row in zip(placed, rows)]
    kept["evidence"] = [_evidence(row, rules, by_id.get(c)) for c, row in zip(placed, rows)]
    return kept


def _rule_text(rules: ClassRules, item_class: ItemClass | None, row: pd.Series) -> str:
    """The placing rule with the item's values; for a class without conditions (or none), why each
    earlier class did not take the item."""
    if item_class is not None and (item_class.all or item_class.any):
        return item_class.describe(row)
    earlier = [c for c in rules.classes if c is not item_class and (c.all or c.any)]
    if item_class is not None:
        earlier = earlier[: list(rules.classes).index(item_class)]
    reasons = "；".join(f"非「{c.name_zh}」: {c.first_failure(row)}" for c in earlier)
    return (item_class.describe() if item_class else "无规则适用 no rule holds") + (f" — {reasons}" if reasons else "")


def _evidence(row: pd.Series, rules: ClassRules, item_class: ItemClass | None) -> dict:
    measures = {}
    for metric in rules.metrics:
        value = row.get(metric)
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            measures[metric] = None
        elif isinstance(value, (bool, np.bool_)):
            measures[metric] = bool(value)
        else:
            measures[metric] = float(value)
    return {"class": item_class.id if item_class else "unclassified",
            "rule": item_class.describe() if item_class else None,
            "rule_with_values": item_class.describe(row) if item_class else None,
            "explain_zh": item_class.explain_zh if item_class else None, "measures": measures}
