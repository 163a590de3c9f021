"""The chokepoint inventory on a store (卡脖子技术攻关清单): the orchestrator behind ``jiqun chokepoints``.

Items are the HS6 products of each chain segment (``chain_node_products``) of the chosen clusters in a
year; a segment with no HS6 goods code (software such as EDA, services) is one item without a product,
its origins measured on the segment's purchases from abroad instead of customs records
(``origin_basis``). Each item gathers:

- the **segment's supply** from the chain map (:func:`jiqun.chains.chainmap.chain_tables`): the share of
  the cluster's purchases of the segment bought abroad (``import_share``; the store has no domestic
  output by HS6, so this purchase share stands for imports / (imports + domestic supply)), its history
  (for the window), the segment's share of the cluster's purchases and the output of the segments
  downstream of it (criticality);
- the **product's trade** from the province's customs records (``trade``, reporters located in the
  province) through :func:`jiqun.chokepoints.screening.trade_measures`: imports by origin (HHI, top
  origin), exports, imports / exports, and the dependency criteria (GeoDep, EU 2021 or a user's set).
  World export concentration needs world trade (``world``, BACI layout); without it the world measures
  are missing and the criteria that use them are not assessable (NA), never guessed;
- the **technology base** of the segment's IPC classes (``chain_node_technologies``) from ``patents``
  (:mod:`jiqun.chokepoints.technology`).

Then :func:`~jiqun.chokepoints.classify.classify_items` places the items, :mod:`~jiqun.chokepoints.ranking`
estimates the window and ranks them.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pandas as pd
from ibis import _

from ..display import json_scalar
from ..schema.vocab import HOME_PROVINCE_CODE
from .classify import ClassRules, classify_items, load_class_rules
from .criteria import evaluate_criteria, load_criteria
from .ranking import opportunity, priority_scores, province_ranks, window_estimate
from .screening import ScreeningError, _world_side, as_trade_table, trade_measures
from .relatedness import SEGMENT_COLUMNS, RelatednessError, region_field_counts, segment_relatedness, technology_complexity
from .technology import technology_base

HOME = "HOME"  # the province as one "country" in the BACI-layout table built from its customs records
WORLD_COLUMNS = ("world_exports", "world_export_hhi", "world_export_hhi_change")
RELATEDNESS_COLUMNS = ("china_rca", "density", "pci")
#: Chinese names of WIPO's 35 technology fields (jiqun's translation, after the terms of WIPO's and
#: CNIPA's Chinese publications).
FIELD_NAMES_ZH = Path(__file__).with_name("data") / "wipo_fields_zh.csv"


class InventoryError(ValueError):
    """A request the inventory cannot answer (unknown cluster or year, no data); says how to fix it."""


def province_trade(con, region_prefix: str = "32") -> ibis.Table:
    """The province's customs records in BACI layout (``i``/``j`` ISO alpha-3 or :data:`HOME`, ``v`` in
    thousand USD), reporters located in the province (region reporters by code, firms by register)."""
    trade = con.table("trade")
    firms = con.table("firms").select("uscc", firm_region=_.region_code)
    joined = trade.left_join(firms, trade.reporter == firms.uscc)
    region = ibis.ifelse(joined.reporter_type == "region", joined.reporter, joined.firm_region)
    local = joined.filter(region.startswith(region_prefix))
    value = local.value_usd / 1000.0
    imports = local.filter(local.flow == "import").select(
        t=_.year.cast("int64"), i=_.partner_country, j=ibis.literal(HOME), k=_.hs6, v=value, q=_.quantity)
    exports = local.filter(local.flow == "export").select(
        t=_.year.cast("int64"), i=ibis.literal(HOME), j=_.partner_country, k=_.hs6, v=value, q=_.quantity)
    return ibis.union(imports, exports)


def product_measures(con, criteria="geodep", world=None, risk_origins=(), region_prefix: str = "32") -> pd.DataFrame:
    """The screen's measures and criteria for the province's products (see the module docstring)."""
    chosen = load_criteria(criteria)
    measures = trade_measures(province_trade(con, region_prefix), [HOME], list(risk_origins)).to_pandas()
    measures["k"] = measures["k"].astype(str).str.zfill(6)
    measures = measures.drop(columns=list(WORLD_COLUMNS))
    if world is not None:
        table, _numeric = as_trade_table(world)
        global_side = _world_side(table).to_pandas()
        global_side["k"] = global_side["k"].astype(str).str.zfill(6)
        global_side = global_side.sort_values(["k", "t"])
        previous = global_side.groupby("k")["world_export_hhi"].shift()
        follows = global_side.groupby("k")["t"].shift() == global_side["t"] - 1
        global_side["world_export_hhi_change"] = (global_side["world_export_hhi"] - previous).where(follows)
        measures = measures.merge(global_side, on=["t", "k"], how="left")
        measures = measures.merge(world_relatedness(table, _numeric), on=["t", "k"], how="left")
    else:
        measures = measures.assign(**{c: np.nan for c in (*WORLD_COLUMNS, *RELATEDNESS_COLUMNS)})
    out = evaluate_criteria(measures, chosen).assign(criteria_set=chosen.id)
    return out.rename(columns={"t": "year", "k": "hs6", "import_share": "product_import_share",
                               "import_dependence": "product_import_dependence"})


def world_relatedness(world: ibis.Table, numeric: bool) -> pd.DataFrame:
    """China's RCA and density in each product and the product's PCI, per year, from world exports
    (:func:`jiqun.complexity.compute` on exporters × HS6): density says how close the product lies to
    what China already exports competitively (within reach), PCI how complex it is. A year too sparse
    for complexity (fewer than 2 exporters or products with RCA ≥ 1) gives no values."""
    from ..complexity import ComplexityError, compute

    exports = world.group_by(["t", "i", "k"]).aggregate(v=_.v.sum()).to_pandas()
    exports["k"] = exports["k"].astype(str).str.zfill(6)
    china = 156 if numeric else "CHN"
    frames = []
    for year, group in exports.groupby("t"):
        try:
            measures = compute(group, loc="i", prod="k", val="v")
        except ComplexityError:
            continue
        mine = measures[measures["i"] == china]
        frames.append(pd.DataFrame({"t": year, "k": mine["k"], "china_rca": mine["rca"], "density": mine["density"],
                                    "pci": mine["pci"]}))
    if not frames:
        return pd.DataFrame(columns=["t", "k", *RELATEDNESS_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def segment_items(con, clusters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(segment history, the catalogue's segment × product pairs) for the clusters.

    The history has one row per cluster × segment × year with ``import_share``, ``purchases_yuan``,
    ``capacity_yuan``, ``purchase_share`` and ``downstream_output_share``.
    """
    from ..chains.chainmap import chain_tables

    tables = chain_tables(con, clusters)
    keep = ["cluster_id", "node_id", "segment", "name_zh", "is_key_component", "year", "import_share",
            "purchases_yuan", "purchases_abroad_yuan", "capacity_yuan", "n_local_firms", "top_import_country",
            "top_import_country_share"]
    history = tables["segments"].select(*keep).to_pandas()
    totals = history.groupby(["cluster_id", "year"])[["purchases_yuan", "capacity_yuan"]].transform("sum")
    history["purchase_share"] = history["purchases_yuan"] / totals["purchases_yuan"].where(totals["purchases_yuan"] > 0)
    links = tables["template_links"].to_pandas()
    downstream = links.merge(history[["cluster_id", "node_id", "year", "capacity_yuan"]],
                             left_on=["cluster_id", "to_node_id"], right_on=["cluster_id", "node_id"])
    downstream = downstream.groupby(["cluster_id", "from_node_id", "year"], as_index=False)["capacity_yuan"].sum()
    history = history.merge(downstream.rename(columns={"from_node_id": "node_id", "capacity_yuan": "downstream_yuan"}),
                            on=["cluster_id", "node_id", "year"], how="left")
    history["downstream_output_share"] = (history["downstream_yuan"].fillna(0.0)
                                          / totals["capacity_yuan"].where(totals["capacity_yuan"] > 0))
    products = con.table("chain_node_products").to_pandas()
    return history, products


def technology_items(con, region_prefix: str = "32", node_ids=None) -> pd.DataFrame:
    """The technology base per segment × year (of ``node_ids``, default every segment), renamed for the
    inventory."""
    concordance = con.table("chain_node_technologies")
    if node_ids is not None:
        concordance = concordance.filter(concordance.node_id.isin(list(node_ids)))
    nodes = sorted(concordance.node_id.to_pandas().unique())
    concordance = concordance.select(item=_.node_id, ipc=_.ipc)
    base = technology_base(con.table("patents"), concordance, region_prefix=region_prefix)
    base = base.rename(columns={"item": "node_id", "n_region": "n_region_patents", "region_growth":
                                "region_patent_growth", "foreign_share": "foreign_patent_share",
                                "n_region_firms": "n_patenting_firms", "n_patents": "n_patents_all"})
    span = con.table("patents").aggregate(first=_.application_date.year().min(),
                                          last=_.application_date.year().max()).to_pandas().iloc[0]
    years = range(int(span["first"]), int(span["last"]) + 1) if pd.notna(span["first"]) else range(0)
    base = _every_year(base, nodes, years)
    # The classes read a 3-year mean: one year's count of a few firms is noisy, and the latest year is
    # incomplete until applications are published (18 months after filing).
    base["n_region_patents_3y"] = (base.groupby("node_id")["n_region_patents"]
                                   .transform(lambda counts: counts.rolling(3, min_periods=1).mean()))
    related = relatedness_items(con, region_prefix, nodes)
    base = base.merge(related, on=["node_id", "year"], how="left")
    return base


def technology_relatedness(con, window: int = 3, include_foreign: bool = False,
                           rca_threshold: float = 1.0) -> pd.DataFrame:
    """Economic complexity of the store's provinces × WIPO technology fields per year
    (:func:`jiqun.chokepoints.relatedness.technology_complexity` on the ``patents``), with the fields'
    Chinese names (``field_name_zh``).

    Raises
    ------
    RelatednessError
        No patents with a located applicant, or too few provinces in every year.
    """
    from ..metrics.innovation import patents_enriched

    counts = region_field_counts(patents_enriched(con), include_foreign).to_pandas()
    if counts.empty:
        raise RelatednessError("the store has no patents of located applicants (applicant_region_code) in a WIPO "
                               "field: load patents with jiqun load FILE --table patents")
    fields = con.table("ipc_technology_fields").select("field_nr", "field_name").to_pandas()
    measures = technology_complexity(counts, fields, window, rca_threshold)
    names = pd.read_csv(FIELD_NAMES_ZH, dtype={"field_nr": "int64"})
    measures = measures.merge(names.rename(columns={"name_zh": "field_name_zh"}), on="field_nr", how="left")
    return measures


def region_technology_profile(con, region=HOME_PROVINCE_CODE, year=None, window: int = 3, include_foreign: bool = False,
                              rca_threshold: float = 1.0) -> pd.DataFrame:
    """One province's WIPO technology fields in a year: its advantage (RTA among the provinces), the
    density of each field (within reach), the field's complexity (PCI) and the gain in complexity from
    mastering it (COG), with the province's ECI — the regions × technologies view behind
    ``jiqun complexity``.

    Parameters
    ----------
    con : ibis backend
        A jiqun store with ``patents``.
    region : str
        A province by code or name (``江苏``, ``320000``); a city is read as its province.
    year : int, optional
        Default: the latest year with measures; a year without them is refused with the valid ones.
    window, include_foreign, rca_threshold
        See :func:`technology_relatedness`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`technology_relatedness`, ``region_zh``, ``eci_rank`` (the province's rank by
        ECI among the ``n_regions`` locations of the year; null when ECI is undefined), one row per field,
        sorted by density (the fields most within reach first).
    """
    from ..names import NameNotFound, resolve_region

    code = resolve_region(con, region)[:2] + "0000"
    measures = technology_relatedness(con, window, include_foreign, rca_threshold)
    years = sorted(int(y) for y in measures["year"].unique())
    chosen = years[-1] if year is None else int(year)
    if chosen not in years:
        raise NameNotFound("year", str(year), f"no technology measures for {year}: the patents give "
                           f"{', '.join(map(str, years))}", [str(y) for y in years])
    year_rows = measures[measures["year"] == chosen]
    ranks = year_rows.drop_duplicates("region").set_index("region")["eci"].rank(ascending=False, method="min")
    mine = year_rows[year_rows["region"] == code].assign(eci_rank=ranks.get(code), n_regions=len(ranks))
    if mine.empty:
        present = sorted(year_rows["region"].unique())
        raise RelatednessError(f"region {code} has no located patent applicants in {chosen}: the patents place "
                               f"applicants in {', '.join(present)}")
    names = con.table("regions").select("region_code", "name_zh").to_pandas()
    mine = mine.merge(names.rename(columns={"region_code": "region", "name_zh": "region_zh"}), on="region", how="left")
    return mine.sort_values(["density", "field_nr"], ascending=[False, True]).reset_index(drop=True)


def relatedness_items(con, region_prefix: str = "32", node_ids=None) -> pd.DataFrame:
    """The province's technological relatedness to each segment (``node_ids``, default all) per year:
    :data:`~jiqun.chokepoints.relatedness.SEGMENT_COLUMNS` from :func:`technology_relatedness` (the region
    read at the province level, ``xx0000``). Patents from too few provinces give no rows (the measures
    stay missing)."""
    from ..metrics.innovation import node_fields

    try:
        measures = technology_relatedness(con)
    except RelatednessError:
        return pd.DataFrame(columns=list(SEGMENT_COLUMNS))
    mapped = node_fields(con)
    if node_ids is not None:
        mapped = mapped.filter(mapped.node_id.isin(list(node_ids)))
    return segment_relatedness(measures, mapped.to_pandas(), region=region_prefix[:2] + "0000")


def _every_year(base: pd.DataFrame, nodes, years) -> pd.DataFrame:
    """Rows for every segment with IPC classes (``nodes``) in every year the patents cover (``years``),
    zero counts where none matched: a segment whose classes hold no patent has 0 of them, not a missing
    count (with no patents at all the counts stay missing)."""
    grid = pd.DataFrame([(node, year) for node in nodes for year in years], columns=["node_id", "year"])
    out = grid.merge(base, on=["node_id", "year"], how="left")
    counts = ["n_patents_all", "n_nation", "n_foreign", "n_region_patents", "n_pct", "n_patenting_firms"]
    out[counts] = out[counts].fillna(0).astype("int64")
    return out.sort_values(["node_id", "year"]).reset_index(drop=True)


def _resolve_clusters(con, cluster) -> list[str]:
    from ..names import resolve_cluster

    if cluster is None:
        return sorted(con.table("clusters").cluster_id.to_pandas().tolist())
    chosen = [cluster] if isinstance(cluster, str) else list(cluster)
    return [resolve_cluster(con, name) for name in chosen]


def _latest(history: pd.DataFrame, year) -> int:
    years = sorted(history.loc[history["purchases_yuan"].fillna(0) > 0, "year"].dropna().astype(int).unique())
    if not years:
        raise InventoryError("no segment of these clusters has purchases in any year — load transactions first")
    if year is None:
        return int(years[-1])
    if int(year) not in years:
        raise InventoryError(f"year {year} has no purchases for these clusters; choose one of "
                             f"{', '.join(map(str, years))}")
    return int(year)


def _windows(history: pd.DataFrame, year: int, rules: ClassRules) -> pd.DataFrame:
    settings = rules.window
    past = history[history["year"] <= year]
    rows = []
    for (cluster_id, node_id), group in past.groupby(["cluster_id", "node_id"]):
        estimate = window_estimate(group["year"], group["import_share"], settings.get("target_import_share", 0.3),
                                   settings.get("trend_years", 5), settings.get("min_points", 3),
                                   settings.get("horizon_years", 30))
        estimate.pop("import_share")
        rows.append({"cluster_id": cluster_id, "node_id": node_id, **estimate})
    return pd.DataFrame(rows)


def _product_names() -> pd.DataFrame:
    from ..catalogue import data_path

    names = pd.read_csv(data_path("hs6_names.csv"), dtype=str)
    return names.rename(columns={"name_en": "product_en"})[["hs6", "product_en"]]


#: Origin measures of an item: from customs records of its HS6 product, or (no HS6) from the chain map's
#: purchases of the segment from abroad (the top origin and its share; no HHI).
ORIGIN_BASES = {"customs": "海关进口", "purchases": "环节境外采购（无HS6编码）"}
NO_HS6_PRODUCT = "(no HS6 goods code: software, services or an uncoded product)"


def assemble_items(history, products, product_side, technology, year: int) -> pd.DataFrame:
    """One row per cluster × segment × product in ``year``: the segment's supply, the product's trade
    and the segment's technology base (columns of :func:`segment_items`, :func:`product_measures`,
    :func:`technology_items`). A segment without products gives one row with ``hs6`` null and its origin
    measured on its purchases from abroad (``origin_basis`` ``"purchases"``). The technology base is that
    of ``year`` or, when the patents end earlier, of their last year (``patent_year``)."""
    segments = history[history["year"] == year]
    coded = segments.merge(products, on="node_id", how="inner")
    coded = coded.merge(product_side, on=["year", "hs6"], how="left")
    coded["origin_basis"] = "customs"
    uncoded = segments[~segments["node_id"].isin(products["node_id"])].copy()
    uncoded["hs6"] = None
    uncoded["top_origin"] = uncoded["top_import_country"]
    uncoded["top_origin_share"] = uncoded["top_import_country_share"]
    uncoded["origin_basis"] = "purchases"
    items = pd.concat([coded, uncoded], ignore_index=True) if len(uncoded) else coded
    # Patents stop earlier than purchases when the latest filings are not yet published: the technology
    # base is then that of the last year with patents (``patent_year``), never zeros for missing years.
    # A year before the first patent has no technology base at all (missing, not zero).
    covered_years = technology["year"] if len(technology) else pd.Series([], dtype="int64")
    patent_year = (min(int(year), int(covered_years.max())) if len(covered_years) and int(year) >= covered_years.min()
                   else None)
    chosen = technology[technology["year"] == patent_year].drop(columns="year")
    items = items.merge(chosen, on="node_id", how="left").assign(patent_year=patent_year)
    items = items.merge(_product_names(), on="hs6", how="left")
    items.loc[items["hs6"].isna(), "product_en"] = NO_HS6_PRODUCT
    covered = set(technology["node_id"]) if patent_year is not None else set()
    has_ipc = items["node_id"].isin(covered)
    for column in ("n_region_patents", "n_region_patents_3y", "n_patents_all", "n_patenting_firms"):
        items[column] = items[column].where(items[column].notna() | ~has_ipc, 0)
    return items.reset_index(drop=True)


def chokepoint_inventory(con, cluster=None, year=None, criteria="geodep", classes=None, world=None,
                         risk_origins=(), region_prefix: str = "32") -> pd.DataFrame:
    """The ranked chokepoint inventory of the clusters (all by default) in a year (default: the latest).

    Parameters
    ----------
    con : ibis backend
        A jiqun store (``transactions``, ``trade``, ``patents`` and the catalogue).
    cluster : str or list of str, optional
        Cluster ids or names.
    year : int, optional
        A year with purchases; an unknown year is refused with the valid ones.
    criteria : {"geodep", "eu2021"} or path
        Dependency criteria set (:func:`jiqun.chokepoints.load_criteria`).
    classes : path or ClassRules, optional
        Class, window and priority rules (default ``data/classes.yaml``).
    world : pandas.DataFrame or ibis.Table, optional
        World trade in BACI layout for world export concentration.
    risk_origins : sequence of str
        ISO alpha-3 origins on a risk list (``risk_origin_share``).

    Returns
    -------
    pandas.DataFrame
        One row per inventory item: keys (``cluster_id``, ``node_id``, ``name_zh``, ``hs6``, ``year``),
        ``class``, ``class_zh``, ``priority`` (rank in the cluster), ``priority_province``, the scores,
        ``window_years`` (+ ``window_low``, ``window_high``, ``window_reason``), ``opportunity`` (+ reason),
        every measure, ``rule_text``, ``screen_text`` and ``evidence`` (dict); sorted by cluster and
        priority.
    """
    rules = load_class_rules(classes)
    clusters = _resolve_clusters(con, cluster)
    history, products = segment_items(con, clusters)
    chosen_year = _latest(history, year)
    items = assemble_items(history, products, product_measures(con, criteria, world, risk_origins, region_prefix),
                           technology_items(con, region_prefix, history["node_id"].unique()), chosen_year)
    if items.empty:
        raise InventoryError(f"no segment of {', '.join(clusters)} has purchases in {chosen_year} "
                             "— load transactions for that year")
    items["origin_basis_zh"] = items["origin_basis"].map(ORIGIN_BASES)
    placed = classify_items(items, rules)
    placed = placed.merge(_windows(history, chosen_year, rules), on=["cluster_id", "node_id"], how="left")
    flags = [opportunity(w, g, rules.window) for w, g in zip(placed["world_export_hhi_change"],
                                                             placed["region_patent_growth"])]
    placed["opportunity"] = [flag for flag, _reason in flags]
    placed["opportunity_reason"] = [reason for _flag, reason in flags]
    if placed.empty:
        return placed
    ranked = priority_scores(placed, rules.priority)
    ranked["priority_province"] = province_ranks(ranked)
    ranked["evidence"] = [_full_evidence(row) for _index, row in ranked.iterrows()]
    return ranked.sort_values(["cluster_id", "priority"]).reset_index(drop=True)


def _full_evidence(row: pd.Series) -> dict:
    evidence = dict(row["evidence"])
    evidence["rule_with_values"] = row["rule_text"]
    evidence["screened_in_by"] = row["screen_text"]
    evidence["criteria_set"] = row.get("criteria_set")
    evidence["dependency"] = {c: json_scalar(row.get(c)) for c in (
        "origin_basis", "imports", "exports", "import_hhi", "top_origin", "top_origin_share", "import_export_ratio",
        "world_export_hhi", "n_criteria_met", "dependent", "imports_growth")}
    evidence["technology"] = {c: json_scalar(row.get(c)) for c in (
        "patent_year", "n_region_patents", "n_region_patents_3y", "n_patents_all", "rta", "region_patent_growth", "foreign_patent_share",
        "invention_share", "n_patenting_firms")}
    evidence["relatedness"] = {c: json_scalar(row.get(c)) for c in (*RELATEDNESS_COLUMNS, *SEGMENT_COLUMNS[2:])}
    evidence["window"] = {c: json_scalar(row.get(c)) for c in (
        "window_years", "window_low", "window_high", "trend_per_year", "trend_points", "window_reason",
        "opportunity", "opportunity_reason")}
    evidence["priority"] = {c: json_scalar(row.get(c)) for c in (
        "criticality", "severity", "feasibility", "priority_score", "rank_best", "rank_worst", "purchase_share",
        "downstream_output_share")}
    return evidence
