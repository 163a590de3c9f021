"""The shipped reference catalogue (Jiangsu): code lists, clusters and chain templates.

The files under ``data/`` are plain CSVs a user may edit and re-load with
``jiqun ingest FILE --table NAME``; ``data/SOURCES.md`` names the source of
every fact. Countries come from the ``pycountry`` package (ISO 3166-1).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

#: Catalogue tables in load order (referenced tables first).
CATALOGUE_FILES = (
    ("regions", "regions.csv"),
    ("industries", "industries.csv"),
    ("countries", None),
    ("hs_chapters", "hs_chapters.csv"),
    ("ipc_technology_fields", "wipo_ipc_technology_35.csv"),
    ("clusters", "clusters.csv"),
    ("cluster_industries", "cluster_industries.csv"),
    ("cluster_regions", "cluster_regions.csv"),
    ("chain_nodes", "chain_nodes.csv"),
    ("chain_node_products", "chain_node_products.csv"),
    ("chain_node_technologies", "chain_node_technologies.csv"),
    ("chain_links", "chain_links.csv"),
)


def data_path(filename: str) -> Path:
    """Path of a shipped catalogue file."""
    return Path(str(resources.files(__package__) / "data" / filename))


def countries_table():
    """ISO 3166-1 countries as a pyarrow table (country_code, alpha2, name_en)."""
    import pyarrow as pa
    import pycountry

    rows = sorted((c.alpha_3, c.alpha_2, c.name) for c in pycountry.countries)
    return pa.table({
        "country_code": [r[0] for r in rows],
        "alpha2": [r[1] for r in rows],
        "name_en": [r[2] for r in rows],
    })


@functools.lru_cache(maxsize=None)
def country_name_zh(alpha3: str) -> str:
    """Chinese short name of an ISO 3166-1 alpha-3 code (pycountry's shipped zh_CN translation, offline),
    the English name when no translation exists, the code itself when the code is unknown."""
    import gettext

    import pycountry

    country = pycountry.countries.get(alpha_3=str(alpha3).upper())
    if country is None:
        return str(alpha3)
    try:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return country.name
    return translation.gettext(country.name)


#: ``jiqun_meta`` key that records when the shipped catalogue was loaded into a store.
LOADED_META_KEY = "catalogue_loaded"


def load_reference_catalogue(con) -> list:
    """Load (upsert) the shipped catalogue into the store through the validated ingest path.

    Returns
    -------
    list of jiqun.ingest.LoadResult
        One per table of :data:`CATALOGUE_FILES`, in load order.
    """
    from ..ingest import ingest_file, ingest_table
    from .._version import __version__

    vintage = f"jiqun {__version__} catalogue"
    results = []
    for table, filename in CATALOGUE_FILES:
        if filename is None:
            results.append(ingest_table(con, countries_table(), table, source_name="pycountry ISO 3166-1",
                                        vintage=vintage))
        else:
            results.append(ingest_file(con, data_path(filename), table, vintage=vintage))
    return results


def ensure_reference_catalogue(con) -> list:
    """Load the shipped catalogue unless the store records (``catalogue_loaded``) that it holds it.

    Returns the load results (an empty list when nothing was loaded).
    """
    import datetime as dt

    from ..store import read_meta, write_meta

    if getattr(con, "name", "duckdb") != "duckdb":
        return _copy_reference_catalogue_into(con)
    if read_meta(con, LOADED_META_KEY) is not None:
        return []
    results = load_reference_catalogue(con)
    write_meta(con, LOADED_META_KEY, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    return results


def _copy_reference_catalogue_into(con) -> list:
    """Another backend (Spark) has no validated ingest: the catalogue is loaded into an in-memory
    DuckDB store and its tables copied, when ``con``'s cluster list is still empty."""
    from ..store import connect, copy_reference_catalogue

    if con.table("clusters").count().to_pyarrow().as_py():
        return []
    source = connect(":memory:")
    try:
        load_reference_catalogue(source)
        copied = copy_reference_catalogue(source, con)
    finally:
        source.disconnect()
    return [copied]
