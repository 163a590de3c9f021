"""Technological relatedness of regions (技术关联度): economic complexity on regions × technology fields.

The same measures as countries × products (:func:`jiqun.complexity.compute`), with provinces as
locations, WIPO's 35 technology fields (Schmoch 2008) as products and patent applications as values
(Balland & Rigby 2017 do the same for US cities). For a chokepoint segment they say how close the
region's existing strengths lie to the segment's technologies (density: within reach) and how much
mastering them would add to the region's technological complexity (COG).

Counts
------
A patent counts once, in the field of its main IPC symbol (``metrics.innovation.patents_enriched``), for
the province of its applicant (``applicant_region_code`` read at the province level, ``xx0000``) in its
application year. Applicants from abroad are left out by default: in a national office's data they are a
selected sample of filers, not a location's technological portfolio (``include_foreign`` adds them, one
location per country). The counts of each year are pooled over the ``window`` years ending in it: a
province's yearly count in a field is a handful of filings, and RCA on it would flip from year to year.

Segment measures
----------------
A segment's fields are those its IPC classes (``chain_node_technologies``) fall in; the segment takes the
mean of the region's density, RCA and COG over them and the fields' mean PCI (``tech_density``,
``tech_rca``, ``tech_cog``, ``tech_pci``; ``tech_fields`` lists the fields).
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from ibis import _

from ..complexity import ComplexityError, compute
from ..schema.vocab import HOME_PROVINCE_CODE

#: The columns :func:`technology_complexity` returns.
FIELD_COLUMNS = ("year", "region", "field_nr", "field_name", "n", "rca", "mcp", "diversity", "ubiquity", "eci",
                 "pci", "density", "coi", "cog")
SEGMENT_COLUMNS = ("node_id", "year", "tech_fields", "tech_density", "tech_rca", "tech_cog", "tech_pci")


class RelatednessError(ValueError):
    """Patents that cannot give regions × technologies measures (says what and how to fix)."""


def region_field_counts(patents: ibis.Table, include_foreign: bool = False) -> ibis.Table:
    """Patent applications per location × WIPO field × application year.

    Parameters
    ----------
    patents : ibis.Table
        ``metrics.innovation.patents_enriched``: ``patent_id``, ``applicant_region_code``, ``country``,
        ``app_year``, ``field_nr``.
    include_foreign : bool
        Count applicants from abroad, one location per ISO alpha-3 country.

    Returns
    -------
    ibis.Table
        ``region`` (a province code ``xx0000``, or a country code), ``field_nr``, ``year``, ``n``.
    """
    domestic = patents.country == "CHN"
    province = patents.applicant_region_code.substr(0, 2) + "0000"
    located = patents.mutate(region=ibis.ifelse(domestic, province, patents.country))
    keep = (located.field_nr.notnull() & located.app_year.notnull()
            & ibis.ifelse(domestic, located.applicant_region_code.length() >= 2, include_foreign))
    rows = located.filter(keep)
    return rows.group_by(["region", "field_nr", rows.app_year.name("year")]).aggregate(n=_.patent_id.nunique())


def pool_years(counts: pd.DataFrame, window: int) -> pd.DataFrame:
    """Each year's counts summed over the ``window`` years ending in it (years the data cover only).

    Parameters
    ----------
    counts : pandas.DataFrame
        ``region``, ``field_nr``, ``year``, ``n``.
    window : int
        Years pooled (1: each year alone).
    """
    if int(window) < 1:
        raise RelatednessError(f"window must be a positive number of years, not {window!r}")
    years = sorted(counts["year"].unique())
    pooled = [counts[(counts["year"] > year - int(window)) & (counts["year"] <= year)]
              .groupby(["region", "field_nr"], as_index=False)["n"].sum().assign(year=year) for year in years]
    if not pooled:
        return counts.iloc[0:0][["region", "field_nr", "year", "n"]]
    return pd.concat(pooled, ignore_index=True)[["region", "field_nr", "year", "n"]]


def technology_complexity(counts: pd.DataFrame, fields: pd.DataFrame, window: int = 3,
                          rca_threshold: float = 1.0) -> pd.DataFrame:
    """Complexity measures of every region × WIPO field × year, from pooled patent counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`region_field_counts`: ``region``, ``field_nr``, ``year``, ``n``.
    fields : pandas.DataFrame
        ``field_nr``, ``field_name`` (the catalogue's ``ipc_technology_fields``).
    window : int
        Years pooled per year (:func:`pool_years`).
    rca_threshold : float
        ``M = 1`` where RCA ≥ this.

    Returns
    -------
    pandas.DataFrame
        :data:`FIELD_COLUMNS`; a year with fewer than 2 regions or fields with M = 1 is left out.
    """
    pooled = pool_years(counts.astype({"year": "int64", "field_nr": "int64"}), window)
    frames = []
    for _year, group in pooled.groupby("year"):
        try:
            frames.append(compute(group, loc="region", prod="field_nr", val="n", time="year",
                                  rca_threshold=rca_threshold))
        except ComplexityError:
            continue  # too sparse a year: no specialisation pattern to measure
    if not frames:
        raise RelatednessError("no year has at least 2 regions and 2 technology fields with revealed advantage: "
                               "load patents of applicants from several provinces (applicant_region_code)")
    out = pd.concat(frames, ignore_index=True)
    names = fields.drop_duplicates("field_nr")[["field_nr", "field_name"]].astype({"field_nr": "int64"})
    out = out.merge(names, on="field_nr", how="left")
    return out[list(FIELD_COLUMNS)].sort_values(["year", "region", "field_nr"]).reset_index(drop=True)


def segment_relatedness(measures: pd.DataFrame, node_fields: pd.DataFrame, region: str = HOME_PROVINCE_CODE) -> pd.DataFrame:
    """The region's relatedness to each segment's technologies per year.

    Parameters
    ----------
    measures : pandas.DataFrame
        :func:`technology_complexity`.
    node_fields : pandas.DataFrame
        ``node_id``, ``field_nr``: the fields of each segment's IPC classes.
    region : str
        Location code in ``measures`` (default Jiangsu, 320000).

    Returns
    -------
    pandas.DataFrame
        :data:`SEGMENT_COLUMNS`: the means over the segment's fields of the region's density, RCA and
        COG and of the fields' PCI; ``tech_fields`` the field numbers joined by ``;``.
    """
    mine = measures[measures["region"] == region]
    if mine.empty:
        return pd.DataFrame(columns=list(SEGMENT_COLUMNS))
    joined = node_fields.astype({"field_nr": "int64"}).merge(mine, on="field_nr")
    grouped = joined.groupby(["node_id", "year"])
    out = grouped.agg(tech_density=("density", "mean"), tech_rca=("rca", "mean"), tech_cog=("cog", "mean"),
                      tech_pci=("pci", "mean")).reset_index()
    listed = grouped["field_nr"].agg(lambda numbers: ";".join(str(n) for n in sorted(set(numbers)))).rename("tech_fields")
    out = out.merge(listed.reset_index(), on=["node_id", "year"])
    out[["tech_density", "tech_rca", "tech_cog", "tech_pci"]] = out[
        ["tech_density", "tech_rca", "tech_cog", "tech_pci"]].astype(float).replace([np.inf, -np.inf], np.nan)
    return out[list(SEGMENT_COLUMNS)]
