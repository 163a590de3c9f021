"""Evaluation schemes: dimensions, their indicators, normalisation, weighting, aggregation, typology.

A scheme is a YAML document (the shipped default is ``data/default_scheme.yaml``; its
comments give the reasoning for every indicator). :func:`parse_scheme` checks it
completely and raises :class:`SchemeError` listing every problem: unknown indicators
(against the monitoring catalogue), neutral indicators without a direction, weights
that do not sum to 1, AHP matrices of the wrong size or inconsistent (CR > 0.1 unless
``force: true``), cycles or shared parts among sub-dimensions, unknown methods.

The scheme's identity is :attr:`Scheme.sha256`: the SHA-256 of its canonical JSON form
(keys sorted), so editing comments or layout does not change it but any change of
substance does.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from .typology import TypologyRules
from .uncertainty import METHODS as MC_METHODS
from .weights import ahp_consistency, pairwise_matrix

DEFAULT_SCHEME = Path(__file__).with_name("data") / "default_scheme.yaml"
NORMALIZATIONS = ("minmax", "zscore", "vector", "benchmark")
WEIGHTINGS = ("equal", "fixed", "entropy", "critic", "ahp", "combined")
AGGREGATIONS = ("weighted_sum", "topsis")
MISSING = ("median", "worst", "error")
DIRECTION_WORDS = {"benefit": 1, "higher_better": 1, "+1": 1, "1": 1, "cost": -1, "lower_better": -1, "-1": -1}


class SchemeError(ValueError):
    """An invalid evaluation scheme; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], source: str = "scheme"):
        self.problems = problems
        super().__init__(f"invalid evaluation scheme ({source}):\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Weighting:
    method: str = "equal"
    normalization: str = "minmax"          # entropy variant
    matrix: tuple | None = None            # AHP judgements, in item order
    force: bool = False                    # accept an inconsistent AHP matrix
    of: tuple["Weighting", ...] = ()       # combined: the weightings combined
    rule: str = "multiplicative"           # combined: multiplicative | additive
    alpha: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Item:
    kind: str                  # "indicator" or "dimension"
    id: str
    direction: int = 1
    normalization: str = "minmax"
    weight: float | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    name_zh: str
    name_en: str
    items: tuple[Item, ...]
    weighting: Weighting
    weight: float | None = None


@dataclass(frozen=True)
class Scheme:
    name: str
    dimensions: dict[str, Dimension]
    top: tuple[str, ...]                   # top-level dimensions (typology works on these)
    dimension_weighting: Weighting
    aggregation: str
    topsis_normalization: str
    missing: str
    typology: TypologyRules
    kmeans: bool
    uncertainty: dict
    reference: dict = field(default_factory=dict)
    reference_name: str = ""
    document: dict = field(default_factory=dict, repr=False)
    text: str = field(default="", repr=False)

    @property
    def sha256(self) -> str:
        canonical = json.dumps(self.document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def indicators(self, dimension: str | None = None) -> list[str]:
        """Indicator ids in scheme order (under ``dimension``, recursively, or all top-level ones)."""
        roots = [dimension] if dimension else list(self.top)
        out: list[str] = []
        for root in roots:
            for item in self.dimensions[root].items:
                out += [item.id] if item.kind == "indicator" else self.indicators(item.id)
        return out

    def item(self, indicator: str) -> Item:
        for dim in self.dimensions.values():
            for it in dim.items:
                if it.kind == "indicator" and it.id == indicator:
                    return it
        raise KeyError(indicator)


def _catalogue() -> dict | None:
    try:
        from ..metrics.catalogue import load_catalogue
    except ImportError:  # the indicator engine is optional for the methods
        return None
    return load_catalogue()


def _weighting(spec, where: str, problems: list[str]) -> Weighting:
    if spec is None:
        return Weighting()
    if isinstance(spec, str):
        spec = {"method": spec}
    if not isinstance(spec, dict):
        problems.append(f"{where}: weighting must be a method name or a mapping")
        return Weighting()
    method = spec.get("method", "equal")
    if method not in WEIGHTINGS:
        problems.append(f"{where}: unknown weighting method {method!r}; use one of {', '.join(WEIGHTINGS)}")
        return Weighting()
    norm = spec.get("normalization", "minmax")
    if method == "entropy" and norm not in ("minmax", "sum"):
        problems.append(f"{where}: entropy normalization must be minmax or sum, got {norm!r}")
    matrix = spec.get("matrix")
    if method == "ahp":
        if matrix is None:
            problems.append(f"{where}: AHP weighting needs a pairwise 'matrix'")
        else:
            try:
                matrix = tuple(tuple(row) for row in pairwise_matrix(matrix).tolist())
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                problems.append(f"{where}: AHP matrix unreadable ({exc})")
                matrix = None
    of = tuple(_weighting(s, f"{where} (combined part {i + 1})", problems) for i, s in enumerate(spec.get("of", ())))
    if method == "combined" and len(of) < 2:
        problems.append(f"{where}: a combined weighting needs at least two weightings under 'of'")
    rule = spec.get("rule", "multiplicative")
    if rule not in ("multiplicative", "additive"):
        problems.append(f"{where}: combination rule must be multiplicative or additive, got {rule!r}")
    alpha = spec.get("alpha")
    if alpha is not None:
        alpha = tuple(float(a) for a in alpha)
        if len(alpha) != len(of) or abs(sum(alpha) - 1) > 1e-6:
            problems.append(f"{where}: alpha needs one coefficient per combined weighting, summing to 1")
    return Weighting(method, norm, matrix, bool(spec.get("force", False)), of, rule, alpha)


def _check_weighting(w: Weighting, items: list, where: str, problems: list[str]) -> None:
    """Checks that need the items: fixed weights present and summing to 1, AHP size and consistency."""
    if w.method == "fixed":
        weights = [getattr(it, "weight", None) for it in items]
        if any(v is None for v in weights):
            problems.append(f"{where}: fixed weighting needs a 'weight' on every item")
        elif abs(sum(weights) - 1.0) > 1e-6 or any(v < 0 for v in weights):
            problems.append(f"{where}: fixed weights must be non-negative and sum to 1, they sum to {sum(weights):.6g}")
    if w.method == "ahp" and w.matrix is not None:
        m = np.array(w.matrix)
        if m.shape != (len(items), len(items)):
            problems.append(f"{where}: AHP matrix is {m.shape[0]} x {m.shape[1] if m.ndim == 2 else '?'} "
                            f"but there are {len(items)} items")
        else:
            try:
                res = ahp_consistency(m)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
            else:
                if res.cr > 0.1 and not w.force:
                    problems.append(f"{where}: AHP matrix is inconsistent, CR = {res.cr:.3f} > 0.1 "
                                    "(revise the judgements or set force: true)")
    for part in w.of:
        _check_weighting(part, items, where, problems)


def parse_scheme(document: dict, catalogue: dict | None = None, text: str = "", source: str = "scheme") -> Scheme:
    """Validate a parsed scheme document; ``catalogue`` maps indicator id -> catalogue entry
    (default: the monitoring catalogue, when the indicator engine is installed)."""
    catalogue = _catalogue() if catalogue is None else catalogue
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("dimensions"), list) or not document["dimensions"]:
        raise SchemeError(["the scheme needs a non-empty 'dimensions' list"], source)
    default_norm = document.get("normalization", "minmax")
    if default_norm not in NORMALIZATIONS:
        problems.append(f"normalization: unknown method {default_norm!r}; use one of {', '.join(NORMALIZATIONS)}")
    default_weighting = document.get("indicator_weighting", "equal")
    reference = {str(k): float(v) for k, v in ((document.get("reference") or {}).get("values") or {}).items()}

    dims: dict[str, Dimension] = {}
    seen_indicators: dict[str, str] = {}
    parent: dict[str, str] = {}
    for n, spec in enumerate(document["dimensions"], 1):
        did = spec.get("id") if isinstance(spec, dict) else None
        where = f"dimension {did or '#' + str(n)}"
        if not did:
            problems.append(f"{where}: needs an 'id'")
            continue
        if did in dims:
            problems.append(f"{where}: duplicate dimension id")
            continue
        items = []
        for k, raw in enumerate(spec.get("indicators") or [], 1):
            raw = {"id": raw} if isinstance(raw, str) else raw
            if "dimension" in raw:
                sub = str(raw["dimension"])
                if sub in parent:
                    problems.append(f"{where}: dimension {sub!r} is already part of {parent[sub]!r} (a tree is required)")
                parent[sub] = did
                items.append(Item("dimension", sub, 1, "minmax", raw.get("weight")))
                continue
            iid = str(raw.get("id", ""))
            entry = catalogue.get(iid) if catalogue is not None else None
            if catalogue is not None and entry is None:
                close = difflib.get_close_matches(iid, list(catalogue), n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                problems.append(f"{where}: unknown indicator {iid!r}{hint}")
            if iid in seen_indicators:
                problems.append(f"{where}: indicator {iid!r} is already used in {seen_indicators[iid]!r}")
            seen_indicators[iid] = did
            direction = raw.get("direction", getattr(entry, "direction", None))
            sign = DIRECTION_WORDS.get(str(direction))
            if sign is None:
                problems.append(f"{where}: indicator {iid!r} needs a direction (benefit or cost)"
                                + (" — the catalogue calls it neutral" if direction == "neutral" else ""))
                sign = 1
            norm = raw.get("normalization", default_norm)
            if norm not in NORMALIZATIONS:
                problems.append(f"{where}: indicator {iid!r}: unknown normalization {norm!r}")
            if norm == "benchmark" and iid not in reference:
                problems.append(f"{where}: indicator {iid!r} is normalised to a benchmark but the scheme's "
                                "reference has no value for it")
            items.append(Item("indicator", iid, sign, norm, raw.get("weight")))
        if not items:
            problems.append(f"{where}: has no indicators")
        weighting = _weighting(spec.get("weighting", default_weighting), where, problems)
        dims[did] = Dimension(did, spec.get("name_zh", did), spec.get("name_en", did), tuple(items), weighting,
                              spec.get("weight"))

    for sub, par in parent.items():
        if sub not in dims:
            problems.append(f"dimension {par}: unknown sub-dimension {sub!r}")
    # cycles among sub-dimensions
    state: dict[str, int] = {}

    def visit(d: str, path: list[str]) -> None:
        state[d] = 1
        for it in dims[d].items:
            if it.kind != "dimension" or it.id not in dims:
                continue
            if state.get(it.id) == 1:
                cycle = path[path.index(it.id):] + [it.id] if it.id in path else [d, it.id]
                problems.append("cycle among dimensions: " + " -> ".join(cycle))
            elif not state.get(it.id):
                visit(it.id, path + [it.id])
        state[d] = 2

    for d in dims:
        if not state.get(d):
            visit(d, [d])
    top = tuple(d for d in dims if d not in parent)
    if dims and not top:
        problems.append("no top-level dimension (every dimension is part of another)")

    for d in dims.values():
        _check_weighting(d.weighting, list(d.items), f"dimension {d.id}", problems)
    dim_weighting = _weighting(document.get("dimension_weighting", "equal"), "dimension_weighting", problems)
    _check_weighting(dim_weighting, [dims[t] for t in top], "dimension_weighting", problems)

    agg = document.get("aggregation", {}) or {}
    agg = {"method": agg} if isinstance(agg, str) else agg
    method = agg.get("method", "weighted_sum")
    topsis_norm = agg.get("normalization", "vector")
    if method not in AGGREGATIONS:
        problems.append(f"aggregation: unknown method {method!r}; use one of {', '.join(AGGREGATIONS)}")
    if topsis_norm not in ("vector", "minmax"):
        problems.append(f"aggregation: TOPSIS normalization must be vector or minmax, got {topsis_norm!r}")
    missing = document.get("missing", "median")
    if missing not in MISSING:
        problems.append(f"missing: use one of {', '.join(MISSING)}, got {missing!r}")
    typ = dict(document.get("typology") or {})
    kmeans = bool(typ.pop("kmeans", True))
    try:
        rules = TypologyRules(**{k: float(v) for k, v in typ.items()})
    except (TypeError, ValueError) as exc:
        problems.append(f"typology: {exc}")
        rules = TypologyRules()
    unc = {"draws": 2000, "concentration": 200.0, "noise": 0.05, "methods": list(MC_METHODS),
           "alternative_weights": ["equal", "entropy"], "seed": 0, **(document.get("uncertainty") or {})}
    bad = set(unc["methods"]) - set(MC_METHODS)
    if bad:
        problems.append(f"uncertainty: unknown method(s) {sorted(bad)}; use {', '.join(MC_METHODS)}")
    bad = set(unc["alternative_weights"]) - {"equal", "entropy", "critic"}
    if bad:
        problems.append(f"uncertainty: alternative_weights may be equal, entropy, critic; got {sorted(bad)}")
    if problems:
        raise SchemeError(problems, source)
    return Scheme(str(document.get("name", "unnamed")), dims, top, dim_weighting, method, topsis_norm, missing,
                  rules, kmeans, unc, reference, str((document.get("reference") or {}).get("name", "")),
                  document, text)


def load_scheme(path: str | Path | None = None, catalogue: dict | None = None) -> Scheme:
    """Read and validate a YAML scheme file (default: the shipped default scheme)."""
    path = Path(path) if path else DEFAULT_SCHEME
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError([f"not valid YAML: {exc}"], str(path)) from None
    return parse_scheme(document, catalogue, text, str(path))


def scheme_from_text(text: str, catalogue: dict | None = None) -> Scheme:
    """Parse and validate a scheme given as YAML text."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError([f"not valid YAML: {exc}"]) from None
    return parse_scheme(document, catalogue, text)
