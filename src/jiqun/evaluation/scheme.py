"""Evaluation schemes: dimensions, their indicators, normalisation, weighting, aggregation, typology.

A scheme is a YAML document (the shipped default is ``data/default_scheme.yaml``; its
comments give the reasoning for every indicator). :func:`parse_scheme` checks it
completely and raises :class:`SchemeError` listing every problem: unknown indicators
(against the monitoring catalogue), neutral indicators without a direction, weights
that do not sum to 1, AHP matrices of the wrong size or inconsistent (CR > 0.1 unless
``force: true``), cycles or shared parts among sub-dimensions, unknown methods.

A world-class reference profile given apart from the scheme (``jiqun evaluate --reference``)
is read by :func:`load_reference`.

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


class ReferenceProfileError(ValueError):
    """A reference profile file that does not map indicator ids to values."""


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
            for item in dim.items:
                if item.kind == "indicator" and item.id == indicator:
                    return item
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
    of = tuple(_weighting(part, f"{where} (combined part {number})", problems)
               for number, part in enumerate(spec.get("of", ()), 1))
    if method == "combined" and len(of) < 2:
        problems.append(f"{where}: a combined weighting needs at least two weightings under 'of'")
    rule = spec.get("rule", "multiplicative")
    if rule not in ("multiplicative", "additive"):
        problems.append(f"{where}: combination rule must be multiplicative or additive, got {rule!r}")
    alpha = spec.get("alpha")
    if alpha is not None:
        alpha = tuple(float(coefficient) for coefficient in alpha)
        if len(alpha) != len(of) or abs(sum(alpha) - 1) > 1e-6:
            problems.append(f"{where}: alpha needs one coefficient per combined weighting, summing to 1")
    return Weighting(method, norm, matrix, bool(spec.get("force", False)), of, rule, alpha)


def _check_weighting(weighting: Weighting, items: list, where: str, problems: list[str]) -> None:
    """Checks that need the items: fixed weights present and summing to 1, AHP size and consistency."""
    if weighting.method == "fixed":
        weights = [getattr(item, "weight", None) for item in items]
        if any(weight is None for weight in weights):
            problems.append(f"{where}: fixed weighting needs a 'weight' on every item")
        elif abs(sum(weights) - 1.0) > 1e-6 or any(weight < 0 for weight in weights):
            problems.append(f"{where}: fixed weights must be non-negative and sum to 1, they sum to {sum(weights):.6g}")
    if weighting.method == "ahp" and weighting.matrix is not None:
        matrix = np.array(weighting.matrix)
        if matrix.shape != (len(items), len(items)):
            columns = matrix.shape[1] if matrix.ndim == 2 else "?"
            problems.append(f"{where}: AHP matrix is {matrix.shape[0]} x {columns} but there are {len(items)} items")
        else:
            try:
                consistency = ahp_consistency(matrix)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
            else:
                if consistency.cr > 0.1 and not weighting.force:
                    problems.append(f"{where}: AHP matrix is inconsistent, CR = {consistency.cr:.3f} > 0.1 "
                                    "(revise the judgements or set force: true)")
    for part in weighting.of:
        _check_weighting(part, items, where, problems)


def _parse_indicator(raw: dict, where: str, dimension_id: str, catalogue: dict | None, default_norm: str,
                     reference: dict, used_in: dict[str, str], problems: list[str]) -> Item:
    """One indicator of a dimension: known to the catalogue, used once, with a direction and a
    normalisation (a benchmark one needs a reference value)."""
    indicator_id = str(raw.get("id", ""))
    entry = catalogue.get(indicator_id) if catalogue is not None else None
    if catalogue is not None and entry is None:
        close = difflib.get_close_matches(indicator_id, list(catalogue), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        problems.append(f"{where}: unknown indicator {indicator_id!r}{hint}")
    if indicator_id in used_in:
        problems.append(f"{where}: indicator {indicator_id!r} is already used in {used_in[indicator_id]!r}")
    used_in[indicator_id] = dimension_id
    direction = raw.get("direction", getattr(entry, "direction", None))
    sign = DIRECTION_WORDS.get(str(direction))
    if sign is None:
        problems.append(f"{where}: indicator {indicator_id!r} needs a direction (benefit or cost)"
                        + (" — the catalogue calls it neutral" if direction == "neutral" else ""))
        sign = 1
    norm = raw.get("normalization", default_norm)
    if norm not in NORMALIZATIONS:
        problems.append(f"{where}: indicator {indicator_id!r}: unknown normalization {norm!r}")
    if norm == "benchmark" and indicator_id not in reference:
        problems.append(f"{where}: indicator {indicator_id!r} is normalised to a benchmark but the scheme's "
                        "reference has no value for it")
    return Item("indicator", indicator_id, sign, norm, raw.get("weight"))


def _parse_dimensions(document: dict, catalogue: dict | None, default_norm: str, reference: dict,
                      problems: list[str]) -> tuple[dict[str, Dimension], dict[str, str]]:
    """The ``dimensions`` list: (dimensions by id, parent dimension of every sub-dimension)."""
    default_weighting = document.get("indicator_weighting", "equal")
    dims: dict[str, Dimension] = {}
    used_in: dict[str, str] = {}  # indicator id -> the dimension that uses it
    parent: dict[str, str] = {}
    for position, spec in enumerate(document["dimensions"], 1):
        dimension_id = spec.get("id") if isinstance(spec, dict) else None
        where = f"dimension {dimension_id or '#' + str(position)}"
        if not dimension_id:
            problems.append(f"{where}: needs an 'id'")
            continue
        if dimension_id in dims:
            problems.append(f"{where}: duplicate dimension id")
            continue
        items = []
        for raw in spec.get("indicators") or []:
            raw = {"id": raw} if isinstance(raw, str) else raw
            if "dimension" in raw:
                sub = str(raw["dimension"])
                if sub in parent:
                    problems.append(f"{where}: dimension {sub!r} is already part of {parent[sub]!r} "
                                    "(a tree is required)")
                parent[sub] = dimension_id
                items.append(Item("dimension", sub, 1, "minmax", raw.get("weight")))
                continue
            items.append(_parse_indicator(raw, where, dimension_id, catalogue, default_norm, reference, used_in,
                                          problems))
        if not items:
            problems.append(f"{where}: has no indicators")
        weighting = _weighting(spec.get("weighting", default_weighting), where, problems)
        dims[dimension_id] = Dimension(dimension_id, spec.get("name_zh", dimension_id),
                                       spec.get("name_en", dimension_id), tuple(items), weighting, spec.get("weight"))
    return dims, parent


def _check_tree(dims: dict[str, Dimension], parent: dict[str, str], problems: list[str]) -> tuple[str, ...]:
    """Check that the sub-dimensions form a forest; return its roots (the top-level dimensions)."""
    for sub, owner in parent.items():
        if sub not in dims:
            problems.append(f"dimension {owner}: unknown sub-dimension {sub!r}")
    # depth-first search; state 1 = on the current path, 2 = finished
    state: dict[str, int] = {}

    def visit(dimension_id: str, path: list[str]) -> None:
        state[dimension_id] = 1
        for item in dims[dimension_id].items:
            if item.kind != "dimension" or item.id not in dims:
                continue
            if state.get(item.id) == 1:
                cycle = path[path.index(item.id):] + [item.id] if item.id in path else [dimension_id, item.id]
                problems.append("cycle among dimensions: " + " -> ".join(cycle))
            elif not state.get(item.id):
                visit(item.id, path + [item.id])
        state[dimension_id] = 2

    for dimension_id in dims:
        if not state.get(dimension_id):
            visit(dimension_id, [dimension_id])
    top = tuple(dimension_id for dimension_id in dims if dimension_id not in parent)
    if dims and not top:
        problems.append("no top-level dimension (every dimension is part of another)")
    return top


def _parse_aggregation(document: dict, problems: list[str]) -> tuple[str, str]:
    """The ``aggregation`` section: (method, TOPSIS normalisation)."""
    spec = document.get("aggregation", {}) or {}
    spec = {"method": spec} if isinstance(spec, str) else spec
    method = spec.get("method", "weighted_sum")
    topsis_norm = spec.get("normalization", "vector")
    if method not in AGGREGATIONS:
        problems.append(f"aggregation: unknown method {method!r}; use one of {', '.join(AGGREGATIONS)}")
    if topsis_norm not in ("vector", "minmax"):
        problems.append(f"aggregation: TOPSIS normalization must be vector or minmax, got {topsis_norm!r}")
    return method, topsis_norm


def _parse_typology(document: dict, problems: list[str]) -> tuple[TypologyRules, bool]:
    """The ``typology`` section: (rules, whether to run the k-means check)."""
    spec = dict(document.get("typology") or {})
    kmeans = bool(spec.pop("kmeans", True))
    try:
        rules = TypologyRules(**{key: float(value) for key, value in spec.items()})
    except (TypeError, ValueError) as exc:
        problems.append(f"typology: {exc}")
        rules = TypologyRules()
    return rules, kmeans


def _parse_uncertainty(document: dict, problems: list[str]) -> dict:
    """The ``uncertainty`` section, over the defaults of the Monte Carlo analysis."""
    settings = {"draws": 2000, "concentration": 200.0, "noise": 0.05, "methods": list(MC_METHODS),
                "alternative_weights": ["equal", "entropy"], "seed": 0, **(document.get("uncertainty") or {})}
    bad = set(settings["methods"]) - set(MC_METHODS)
    if bad:
        problems.append(f"uncertainty: unknown method(s) {sorted(bad)}; use {', '.join(MC_METHODS)}")
    bad = set(settings["alternative_weights"]) - {"equal", "entropy", "critic"}
    if bad:
        problems.append(f"uncertainty: alternative_weights may be equal, entropy, critic; got {sorted(bad)}")
    return settings


def parse_scheme(document: dict, catalogue: dict | None = None, text: str = "", source: str = "scheme") -> Scheme:
    """Validate a parsed scheme document; ``catalogue`` maps indicator id -> catalogue entry
    (default: the monitoring catalogue, when the indicator engine is installed).

    Every problem of every section is collected before :class:`SchemeError` is raised.
    """
    catalogue = _catalogue() if catalogue is None else catalogue
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("dimensions"), list) or not document["dimensions"]:
        raise SchemeError(["the scheme needs a non-empty 'dimensions' list"], source)
    default_norm = document.get("normalization", "minmax")
    if default_norm not in NORMALIZATIONS:
        problems.append(f"normalization: unknown method {default_norm!r}; use one of {', '.join(NORMALIZATIONS)}")
    reference_spec = document.get("reference") or {}
    reference = {str(key): float(value) for key, value in (reference_spec.get("values") or {}).items()}

    dims, parent = _parse_dimensions(document, catalogue, default_norm, reference, problems)
    top = _check_tree(dims, parent, problems)
    for dim in dims.values():
        _check_weighting(dim.weighting, list(dim.items), f"dimension {dim.id}", problems)
    dim_weighting = _weighting(document.get("dimension_weighting", "equal"), "dimension_weighting", problems)
    _check_weighting(dim_weighting, [dims[dimension_id] for dimension_id in top], "dimension_weighting", problems)
    method, topsis_norm = _parse_aggregation(document, problems)
    missing = document.get("missing", "median")
    if missing not in MISSING:
        problems.append(f"missing: use one of {', '.join(MISSING)}, got {missing!r}")
    rules, kmeans = _parse_typology(document, problems)
    uncertainty = _parse_uncertainty(document, problems)
    if problems:
        raise SchemeError(problems, source)
    return Scheme(str(document.get("name", "unnamed")), dims, top, dim_weighting, method, topsis_norm, missing,
                  rules, kmeans, uncertainty, reference, str(reference_spec.get("name", "")), document, text)


def load_scheme(path: str | Path | None = None, catalogue: dict | None = None) -> Scheme:
    """Read and validate a YAML scheme file (default: the shipped default scheme)."""
    path = Path(path) if path else DEFAULT_SCHEME
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError([f"not valid YAML: {exc}"], str(path)) from None
    return parse_scheme(document, catalogue, text, str(path))


def load_reference(path: str | Path) -> dict:
    """Read a world-class reference profile: a YAML mapping ``indicator: value``, one line each.

    Raises :class:`ReferenceProfileError` when the file is not such a mapping (and the errors
    of reading it: ``OSError``, ``UnicodeDecodeError``, ``yaml.YAMLError``).
    """
    profile = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(profile, dict):
        raise ReferenceProfileError(f"{path} must map indicator ids to values, one 'indicator: value' line each "
                                    "参照文件须为“指标: 数值”格式")
    return profile


def scheme_from_text(text: str, catalogue: dict | None = None) -> Scheme:
    """Parse and validate a scheme given as YAML text."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError([f"not valid YAML: {exc}"]) from None
    return parse_scheme(document, catalogue, text)
