"""The indicator catalogue (监测指标目录), declared as data in ``data/indicators.yaml``.

:func:`load_catalogue` reads and validates it (unknown dimension, direction, level or source
table, duplicate ids and missing fields are refused); :func:`indicators_markdown` renders
``docs/indicators.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..schema import TABLES

DATA = Path(__file__).with_name("data")
DIMENSIONS = ("scale", "growth", "specialisation", "concentration", "leading_firms", "innovation",
              "openness_brand", "chain_integration", "firm_quality")
DIRECTIONS = ("higher_better", "lower_better", "neutral")
LEVEL_NAMES = ("city", "province", "nation")
FIELDS = ("id", "name_zh", "name_en", "definition", "formula", "unit", "direction", "dimension", "sources",
          "reference", "levels")


class CatalogueError(ValueError):
    """The indicator catalogue is malformed."""


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    definition: str
    formula: str
    unit: str
    direction: str
    dimension: str
    sources: tuple[str, ...]
    reference: str
    levels: tuple[str, ...]


def parse_catalogue(data: dict) -> dict[str, Indicator]:
    """Validate a parsed catalogue document; return indicators by id (in file order)."""
    if not isinstance(data, dict) or "indicators" not in data:
        raise CatalogueError("the catalogue needs a top-level 'indicators' list")
    dims = data.get("dimensions", {})
    unknown_dims = set(dims) - set(DIMENSIONS)
    if unknown_dims:
        raise CatalogueError(f"unknown dimension(s) declared: {sorted(unknown_dims)}")
    out: dict[str, Indicator] = {}
    for n, entry in enumerate(data["indicators"], 1):
        where = f"indicator #{n} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: not a mapping")
        missing = [f for f in FIELDS if not entry.get(f)]
        extra = set(entry) - set(FIELDS)
        if missing:
            raise CatalogueError(f"{where}: missing {', '.join(missing)}")
        if extra:
            raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        if entry["dimension"] not in DIMENSIONS:
            raise CatalogueError(f"{where}: unknown dimension {entry['dimension']!r}; use one of {DIMENSIONS}")
        if entry["direction"] not in DIRECTIONS:
            raise CatalogueError(f"{where}: unknown direction {entry['direction']!r}; use one of {DIRECTIONS}")
        bad_src = [s for s in entry["sources"] if s not in TABLES]
        if bad_src:
            raise CatalogueError(f"{where}: unknown source table(s) {bad_src}")
        bad_lv = [lv for lv in entry["levels"] if lv not in LEVEL_NAMES]
        if bad_lv:
            raise CatalogueError(f"{where}: unknown level(s) {bad_lv}")
        if entry["id"] in out:
            raise CatalogueError(f"{where}: duplicate id")
        if not str(entry["id"]).replace("_", "").isalnum() or entry["id"] != str(entry["id"]).lower():
            raise CatalogueError(f"{where}: ids are lowercase snake_case")
        out[entry["id"]] = Indicator(**{**entry, "sources": tuple(entry["sources"]),
                                        "levels": tuple(entry["levels"])})
    return out


@lru_cache(maxsize=4)
def load_catalogue(path: Path | None = None) -> dict[str, Indicator]:
    """Load and validate the indicator catalogue (default: the shipped ``indicators.yaml``)."""
    path = Path(path) if path else DATA / "indicators.yaml"
    with open(path, encoding="utf-8") as fh:
        return parse_catalogue(yaml.safe_load(fh))


def dimension_names(path: Path | None = None) -> dict[str, dict]:
    path = Path(path) if path else DATA / "indicators.yaml"
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh).get("dimensions", {})


GLOSSARY = """## Conventions

- Every value is for one cluster (`cluster_id`; `all` for whole-economy values) in one region
  (`region_code`: a prefecture city, the province 320000, or the nation 100000) and one year.
- A firm belongs to a cluster when its GB/T 4754 code falls under one of the cluster's member
  codes or when it serves one of the cluster's chain nodes (`jiqun.marts.firm_clusters`); a firm
  may belong to several clusters.
- `n_firms`: distinct firms behind the value. `top_firm_share`: the largest single firm's share
  of the sum the value is built from (for a ratio, of the numerator's sum); empty for counts of
  firms. Both serve disclosure control.
- Leading firms (龙头企业): the top 10 firms by revenue per cluster × region × year
  (`leaders_k`). CAGR window: 5 years (`cagr_window`).
- Reference area (LQ, shift-share, national share, Krugman): `regional_employment` rows of
  region 100000 (China) when the store has them, else the province computed from firm data;
  the reference region's own rows are not produced.
- Firm statuses (专精特新, single champion, listed, ownership, branch) are the current ones
  in `firms`, applied to every year.

## Symbols

| symbol | meaning |
|---|---|
| c, r, t, i | cluster, region, year, firm |
| e_rc, e_r | employment of cluster c in region r; all firms' employment in r |
| e_c, e | the same in the reference area |
| s_i | a firm's revenue share within the cluster × region × year |
| G, H, x_r | Ellison–Glaeser: spatial Gini, firm Herfindahl, city share of all employment |
| W | CAGR window in years |
"""


def indicators_markdown() -> str:
    """docs/indicators.md, generated from the catalogue (checked by a test)."""
    cat = load_catalogue()
    dims = dimension_names()
    lines = ["# Indicators 监测指标", "",
             "Generated from `src/jiqun/metrics/data/indicators.yaml` by `jiqun docs`; do not edit by hand.", "",
             f"{len(cat)} indicators in {len(DIMENSIONS)} dimensions.", "", GLOSSARY.rstrip(), ""]
    for dim in DIMENSIONS:
        members = [i for i in cat.values() if i.dimension == dim]
        if not members:
            continue
        d = dims.get(dim, {})
        lines += [f"## {d.get('name_en', dim)} {d.get('name_zh', '')}".rstrip(), ""]
        for ind in members:
            lines += [f"### `{ind.id}` — {ind.name_en} {ind.name_zh}", "",
                      f"- definition: {ind.definition}",
                      f"- formula: {ind.formula}",
                      f"- unit: {ind.unit}; direction: {ind.direction.replace('_', ' ')}; "
                      f"levels: {', '.join(ind.levels)}",
                      f"- sources: {', '.join(f'`{s}`' for s in ind.sources)}",
                      f"- reference: {ind.reference}", ""]
    return "\n".join(lines).rstrip() + "\n"
