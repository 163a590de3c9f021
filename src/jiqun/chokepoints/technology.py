"""Technology base of chokepoint items from patents (技术基础): who patents in the IPC classes of a product
or chain segment, in the region and in the nation, how fast it grows and how specialised the region is.

An item (a chain segment, an HS6 product, a WIPO field) is described by IPC prefixes (the catalogue's
``chain_node_technologies``, or WIPO's 35 fields from ``wipo_ipc_technology_35.csv``); a patent belongs
to the item when its main IPC symbol starts with one of them (spaces ignored; ``use_all_ipc`` matches
any of its symbols), counted once per item. Years are application years.

Measures per item × year
------------------------
n_patents               all matched applications in the data
n_nation                applicants from China (``applicant_country = 'CHN'``)
n_foreign               applicants from abroad;  foreign_share = n_foreign / n_patents
n_region                applicants located in the region (``applicant_region_code`` starts with the
                        region's code prefix, default Jiangsu 32)
region_share_of_nation  n_region / n_nation
invention_share         the region's invention applications / n_region
n_pct                   the region's PCT filings
n_region_firms          distinct applicant firms (USCC) in the region
rta                     revealed technological advantage (显示性技术优势) of the region:
                        (n_region / the region's applications in all fields) / (n_reference /
                        the reference's applications in all fields); the reference is every applicant
                        in the data (``rta_reference="all"``, default: for CNIPA data, everyone filing in
                        China) or the Chinese applicants (``"nation"``); all fields = every patent of
                        the year in the data, matched or not
region_growth           (n_region(t) / n_region(t − span))^(1/span) − 1 (compound; null when the base is 0)
Citations are not in the patents schema and are not measured.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from ibis import _

HOME_REGION_PREFIX = "32"
RTA_REFERENCES = ("all", "nation")
TECHNOLOGY_COLUMNS = ("item", "year", "n_patents", "n_nation", "n_foreign", "foreign_share", "n_region",
                      "region_share_of_nation", "invention_share", "n_pct", "n_region_firms", "rta", "region_growth")


class TechnologyError(ValueError):
    """A patents or concordance table that cannot be used (says what and how to fix)."""


def _normalised(column):
    return column.upper().re_replace(r"[\s%]", "")


def _patent_symbols(patents: ibis.Table, use_all_ipc: bool) -> ibis.Table:
    if not use_all_ipc:
        return patents.select("patent_id", symbol=_normalised(patents.ipc_main))
    every = patents.select("patent_id", symbol=patents.ipc_all.fill_null(patents.ipc_main).split(";").unnest().cast("string"))
    main = patents.select("patent_id", symbol=patents.ipc_main.cast("string"))
    both = ibis.union(every, main, distinct=True)
    return both.select("patent_id", symbol=_normalised(both.symbol)).filter(_.symbol != "")


def technology_measures(patents: ibis.Table, concordance: ibis.Table, region_prefix: str = HOME_REGION_PREFIX,
                        use_all_ipc: bool = False, rta_reference: str = "all") -> ibis.Table:
    """Patent counts, shares and RTA per item × application year (see the module docstring).

    Parameters
    ----------
    patents : ibis.Table
        The store's ``patents``: ``patent_id``, ``applicant_uscc``, ``applicant_country``,
        ``applicant_region_code``, ``application_date``, ``ipc_main``, ``ipc_all``, ``patent_type``, ``pct``.
    concordance : ibis.Table
        ``item``, ``ipc`` (an IPC prefix: section, class, subclass or group; ``%`` and spaces ignored).
    region_prefix : str
        Leading digits of the region's GB/T 2260 codes.
    use_all_ipc : bool
        Match any IPC symbol of a patent, not only the main one.
    rta_reference : {"all", "nation"}
        Whom the region's specialisation is measured against.

    Returns
    -------
    ibis.Table
        The columns of :data:`TECHNOLOGY_COLUMNS` except ``region_growth``.
    """
    base = patents.mutate(
        year=patents.application_date.year().cast("int64"),
        is_nation=(patents.applicant_country.fill_null("CHN") == "CHN"),
        is_region=patents.applicant_region_code.fill_null("").startswith(region_prefix),
        is_invention=patents.patent_type == "invention", is_pct=patents.pct.fill_null(False))
    symbols = _patent_symbols(patents, use_all_ipc)
    prefixes = concordance.select("item", prefix=_normalised(concordance.ipc)).distinct()
    # A prefix ending in a main group (G05B19) matches that group's symbols (G05B19/18), not G05B190.
    group_level = (prefixes.prefix.length() > 4) & ~prefixes.prefix.contains("/")
    within = ibis.ifelse(group_level, symbols.symbol.startswith(prefixes.prefix + "/") | (symbols.symbol == prefixes.prefix),
                         symbols.symbol.startswith(prefixes.prefix))
    matched = symbols.join(prefixes, within).select("patent_id", "item").distinct()
    rows = matched.join(base, "patent_id")
    counts = rows.group_by(["item", "year"]).aggregate(
        n_patents=_.count(), n_nation=_.is_nation.cast("int64").sum(),
        n_region=_.is_region.cast("int64").sum(),
        n_region_invention=(_.is_region & _.is_invention).cast("int64").sum(),
        n_pct=(_.is_region & _.is_pct).cast("int64").sum(),
        n_region_firms=_.applicant_uscc.nunique(where=_.is_region))
    if rta_reference not in RTA_REFERENCES:
        raise TechnologyError(f"rta_reference {rta_reference!r} is not one of {', '.join(RTA_REFERENCES)}")
    totals = base.group_by("year").aggregate(all_region=_.is_region.cast("int64").sum(),
                                            all_nation=_.is_nation.cast("int64").sum(), all_patents=_.count())
    table = counts.join(totals, "year")
    share = (lambda top, bottom: ibis.ifelse(bottom > 0, top / bottom, ibis.null("float64")))
    region_part = share(table.n_region, table.all_region)
    reference_part = (share(table.n_nation, table.all_nation) if rta_reference == "nation"
                      else share(table.n_patents, table.all_patents))
    return table.select(
        "item", "year", "n_patents", "n_nation", n_foreign=table.n_patents - table.n_nation,
        foreign_share=share(table.n_patents - table.n_nation, table.n_patents), n_region=table.n_region,
        region_share_of_nation=share(table.n_region, table.n_nation),
        invention_share=share(table.n_region_invention, table.n_region), n_pct=table.n_pct,
        n_region_firms=table.n_region_firms,
        rta=ibis.ifelse(reference_part > 0, region_part / reference_part, ibis.null("float64")))


def wipo_field_concordance(con) -> ibis.Table:
    """WIPO's 35 technology fields (Schmoch 2008, the catalogue's ``ipc_technology_fields``) as a
    concordance: ``item`` ``"12 Control"`` …, ``ipc`` the field's IPC prefixes."""
    fields = con.table("ipc_technology_fields")
    return fields.select(item=fields.field_nr.cast("string") + " " + fields.field_name, ipc=fields.ipc)


def calc_growth(values: pd.Series, years: pd.Series, span: int) -> np.ndarray:
    """Compound yearly growth over ``span`` years of one item's series: (v(t) / v(t − span))^(1/span) − 1,
    NaN where the year t − span is absent or its value is 0."""
    by_year = pd.Series(values.to_numpy(dtype=float), index=years.to_numpy(dtype=int))
    before = by_year.reindex(by_year.index - span).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (by_year.to_numpy() / before) ** (1.0 / span) - 1
    return np.where(before > 0, growth, np.nan)


def technology_base(patents: ibis.Table, concordance, region_prefix: str = HOME_REGION_PREFIX,
                    use_all_ipc: bool = False, span: int = 3, rta_reference: str = "all") -> pd.DataFrame:
    """The technology base of each item and year, with the region's patent growth.

    Parameters
    ----------
    patents : ibis.Table
        See :func:`technology_measures`.
    concordance : pandas.DataFrame or ibis.Table
        ``item``, ``ipc``.
    region_prefix, use_all_ipc, rta_reference
        See :func:`technology_measures`.
    span : int
        Years over which ``region_growth`` is compounded.

    Returns
    -------
    pandas.DataFrame
        :data:`TECHNOLOGY_COLUMNS`, one row per item × year with a matched patent; zero-filled years in
        between so that growth and trends see the gaps; sorted by item and year.
    """
    if isinstance(concordance, pd.DataFrame):
        missing = [c for c in ("item", "ipc") if c not in concordance.columns]
        if missing:
            raise TechnologyError(f"the IPC concordance lacks column(s) {missing}: give item and ipc (a prefix "
                                  "such as G05B or G05B19)")
        concordance = ibis.memtable(concordance[["item", "ipc"]].astype(str))
    if int(span) < 1:
        raise TechnologyError(f"span must be a positive number of years, not {span!r}")
    found = technology_measures(patents, concordance, region_prefix, use_all_ipc, rta_reference).to_pandas()
    if found.empty:
        return pd.DataFrame(columns=list(TECHNOLOGY_COLUMNS))
    found = _fill_years(found)
    growth = [calc_growth(group.n_region, group.year, int(span)) for _item, group in found.groupby("item", sort=True)]
    found = found.sort_values(["item", "year"]).reset_index(drop=True)
    found["region_growth"] = np.concatenate(growth)
    return found[list(TECHNOLOGY_COLUMNS)]


def _fill_years(found: pd.DataFrame) -> pd.DataFrame:
    """Add the missing years between an item's first and last with zero counts (shares and RTA null)."""
    found = found.astype({"year": "int64"})
    spans = found.groupby("item")["year"].agg(["min", "max"])
    full = pd.DataFrame([(item, year) for item, row in spans.iterrows() for year in range(row["min"], row["max"] + 1)],
                        columns=["item", "year"])
    out = full.merge(found, on=["item", "year"], how="left")
    counts = ["n_patents", "n_nation", "n_foreign", "n_region", "n_pct", "n_region_firms"]
    out[counts] = out[counts].fillna(0).astype("int64")
    return out
