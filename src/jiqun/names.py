"""Names of clusters, regions and years as people type them: resolved to ids, or refused with choices.

An analyst writes ``物联网``, ``iot`` or ``Internet of Things`` for a cluster, ``苏州``, ``苏州市``,
``Suzhou`` or ``320500`` for a region, ``全省`` or ``province`` for Jiangsu as a whole. The resolvers
turn such text into the id the store uses, and refuse what they cannot resolve with
:class:`NameNotFound`, whose message lists the closest matches and the valid values.

The names come from the store's catalogue tables (``clusters``, ``regions``), or from the
shipped catalogue when no store is given (``con=None``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from .schema.vocab import HOME_PROVINCE_CODE

#: Words for the home province as a whole.
PROVINCE_WORDS = ("province", "全省", "省级", "jiangsu province")
#: Cluster id of whole-economy values (see :data:`jiqun.metrics.base.ALL`) and its words.
ALL_CLUSTERS = "all"
ALL_WORDS = ("all", "全部", "全部行业", "all industries")
#: Spellings of the region levels (GB/T 2260) → the level stored in ``regions.level``.
LEVEL_WORDS = {
    "nation": ("nation", "national", "全国", "国家"),
    "province": ("province", "provincial", "省", "省级"),
    "prefecture": ("prefecture", "city", "cities", "市", "地级市", "设区市", "市级"),
    "county": ("county", "district", "县", "区", "县级", "区县", "县区", "县（市、区）"),
}
#: How many valid values a message lists before "… (N in all)".
CHOICES_SHOWN = 15
_ZH_SUFFIXES = ("自治区", "市", "区", "县", "省")
_EN_SUFFIXES = (" district", " city", " county", " province")


class NameNotFound(ValueError):
    """A cluster, region, level or year that the store does not know (or that is ambiguous).

    Attributes
    ----------
    kind : str
        ``cluster``, ``region``, ``level`` or ``year``.
    text : str
        What was given.
    matches : list of str
        The closest valid values (displayed form), best first; the candidates when ambiguous.
    """

    def __init__(self, kind: str, text: str, message: str, matches: list[str] | None = None):
        super().__init__(message)
        self.kind, self.text, self.matches = kind, text, list(matches or [])


@dataclass
class _Entry:
    value: str
    display: str
    labels: list[str]  # exact spellings (id, names, aliases)
    short: list[str] = field(default_factory=list)  # spellings without a 市/区/县 or "District" suffix


def normalize(text: str) -> str:
    """Text as compared: NFKC (full-width → half-width), trimmed, inner spaces collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def _strip_suffix(label: str) -> str:
    """``苏州市`` → ``苏州``, ``gulou district`` → ``gulou`` (a rest of at least two characters)."""
    for suffix in _ZH_SUFFIXES + _EN_SUFFIXES:
        if label.endswith(suffix) and len(label) - len(suffix) >= 2:
            return label[: -len(suffix)]
    return label


# --------------------------------------------------------------------------- catalogue frames
def _catalogue_csv(filename: str) -> pd.DataFrame:
    from .catalogue import data_path

    return pd.read_csv(data_path(filename), dtype=str, keep_default_na=False)


def _table(con, name: str, filename: str, columns: list[str]) -> pd.DataFrame:
    frame = _catalogue_csv(filename) if con is None else con.table(name).select(*columns).execute()
    return frame[columns].fillna("").astype(str)


def list_clusters(con=None) -> pd.DataFrame:
    """The clusters with their core cities.

    Parameters
    ----------
    con : ibis backend, optional
        A store; default: the shipped catalogue.

    Returns
    -------
    pandas.DataFrame
        ``cluster_id, name_zh, name_en, core_region_codes, core_cities_zh, core_cities_en`` (cities
        joined by ``、`` / ``, ``), in catalogue order.
    """
    clusters = _table(con, "clusters", "clusters.csv", ["cluster_id", "name_zh", "name_en"])
    roles = _table(con, "cluster_regions", "cluster_regions.csv", ["cluster_id", "region_code", "role"])
    regions = _table(con, "regions", "regions.csv", ["region_code", "name_zh", "name_en"]).set_index("region_code")
    core = roles[roles["role"] == "core"].sort_values(["cluster_id", "region_code"])
    codes = core.groupby("cluster_id")["region_code"].agg(list)

    def names(cluster_id: str, column: str, sep: str) -> str:
        return sep.join(regions[column].get(code, code) for code in codes.get(cluster_id, []))

    return clusters.assign(
        core_region_codes=[";".join(codes.get(c, [])) for c in clusters["cluster_id"]],
        core_cities_zh=[names(c, "name_zh", "、") for c in clusters["cluster_id"]],
        core_cities_en=[names(c, "name_en", ", ") for c in clusters["cluster_id"]],
    ).reset_index(drop=True)


def list_regions(con=None, level: str | None = None, parent: str | None = None) -> pd.DataFrame:
    """The regions, optionally of one level and/or under one parent.

    Parameters
    ----------
    con : ibis backend, optional
        A store; default: the shipped catalogue.
    level : str, optional
        A level as :func:`resolve_level` accepts it (``city``, ``市``, ``county`` …).
    parent : str, optional
        A region as :func:`resolve_region` accepts it; only its direct children are kept.

    Returns
    -------
    pandas.DataFrame
        ``region_code, name_zh, name_en, level, parent_code, parent_zh``: the home province and its
        divisions first, then the rest by code.

    Raises
    ------
    NameNotFound
        Unknown level or parent.
    """
    frame = _regions(con)
    if level is not None:
        frame = frame[frame["level"] == resolve_level(con, level)]
    if parent is not None:
        frame = frame[frame["parent_code"] == resolve_region(con, parent)]
    return frame.drop(columns="order").reset_index(drop=True)


def _regions(con) -> pd.DataFrame:
    frame = _table(con, "regions", "regions.csv", ["region_code", "name_zh", "name_en", "level", "parent_code"])
    names = dict(zip(frame["region_code"], frame["name_zh"]))
    level_rank = {level: i for i, level in enumerate(LEVEL_WORDS)}
    home = frame["region_code"].str[:2] == HOME_PROVINCE_CODE[:2]
    frame = frame.assign(
        parent_zh=frame["parent_code"].map(lambda code: names.get(code, "")),
        order=[(0 if h else 1, level_rank.get(lv, 9), code)
               for h, lv, code in zip(home, frame["level"], frame["region_code"])],
    )
    return frame.sort_values("order")


# --------------------------------------------------------------------------- resolution
def _resolve(kind: str, text, entries: list[_Entry], listing: str) -> str:
    """The value of the one entry ``text`` names; else NameNotFound with matches and choices."""
    given = normalize(text)
    for spellings in (lambda entry: entry.labels, lambda entry: entry.short):
        found = _unique([entry for entry in entries
                         if given in {normalize(spelling) for spelling in spellings(entry)}])
        if found is not None:
            if len(found) == 1:
                return found[0].value
            raise _ambiguous(kind, text, found)
    if len(given) >= 2:  # a unique part of a name: 新型电力 → 新型电力（新能源）装备
        contained = _unique([entry for entry in entries
                             if any(given in normalize(label) for label in entry.labels[1:])])
        if contained is not None and len(contained) == 1:
            return contained[0].value
    raise _not_found(kind, text, entries, listing)


def _unique(hits: list[_Entry]) -> list[_Entry] | None:
    """Hits without repeats (None when there are none)."""
    seen, out = set(), []
    for entry in hits:
        if entry.value not in seen:
            seen.add(entry.value)
            out.append(entry)
    return out or None


def _ambiguous(kind: str, text, found: list[_Entry]) -> NameNotFound:
    shown = [e.display for e in found]
    return NameNotFound(kind, str(text), f"{kind} {str(text)!r} is ambiguous 名称不唯一: it may be "
                        f"{'; '.join(shown)} — give the code or id 请使用代码", shown)


def closest(text, entries: list[_Entry], n: int = 5) -> list[str]:
    """Displayed forms of the entries closest to ``text`` (difflib on every spelling, parts of names)."""
    given = normalize(text)
    by_label: dict[str, _Entry] = {}
    for entry in entries:
        for label in entry.labels + entry.short:
            by_label.setdefault(normalize(label), entry)
    ranked = [by_label[label] for label in difflib.get_close_matches(given, list(by_label), n=3 * n, cutoff=0.5)]
    ranked += [entry for entry in entries if _overlaps(given, entry)]
    return [entry.display for entry in (_unique(ranked) or [])[:n]]


def _overlaps(given: str, entry: _Entry) -> bool:
    """Whether ``given`` is part of one of the entry's names, or contains one (苏州市区 → 苏州市)."""
    names = [normalize(label) for label in entry.labels[1:]]
    return any(given in name or (len(name) >= 2 and name in given) for name in names)


def _not_found(kind: str, text, entries: list[_Entry], listing: str) -> NameNotFound:
    matches = closest(text, entries)
    near = f"closest 最接近: {'; '.join(matches)}; " if matches else ""
    valid = [e.display for e in entries]
    more = f", … ({len(valid)} in all; {listing} lists them)" if len(valid) > CHOICES_SHOWN else ""
    zh = {"cluster": "未知集群", "region": "未知地区", "level": "未知级别", "year": "无该年份数据"}.get(kind, "未知")
    return NameNotFound(kind, str(text), f"unknown {kind} {str(text)!r} {zh} — {near}valid 可选: "
                        f"{', '.join(valid[:CHOICES_SHOWN])}{more}", matches)


def cluster_entries(con=None, allow_all: bool = False) -> list[_Entry]:
    """The spellings of every cluster (id, Chinese and English names)."""
    clusters = _table(con, "clusters", "clusters.csv", ["cluster_id", "name_zh", "name_en"])
    entries = [_Entry(r.cluster_id, f"{r.cluster_id} {r.name_zh}", [r.cluster_id, r.name_zh, r.name_en],
                      [r.cluster_id.replace("_", " "), r.cluster_id.replace("_", "-")])
               for r in clusters.itertuples()]
    if allow_all:
        entries.append(_Entry(ALL_CLUSTERS, f"{ALL_CLUSTERS} 全部", list(ALL_WORDS)))
    return entries


def resolve_cluster(con, text, allow_all: bool = False) -> str:
    """The cluster id that ``text`` names.

    Parameters
    ----------
    con : ibis backend or None
        A store (its ``clusters`` table); None: the shipped catalogue.
    text : str
        An id (``iot``), a Chinese or English name (``物联网``, ``Internet of Things``), or a unique part
        of a name (``新型电力``); full-width characters and case do not matter.
    allow_all : bool
        Also accept ``all`` / ``全部`` (the whole-economy rows of the indicators).

    Returns
    -------
    str
        The ``cluster_id``.

    Raises
    ------
    NameNotFound
        No cluster (or more than one) has that name; the message lists the closest and the valid ids.
    """
    return _resolve("cluster", text, cluster_entries(con, allow_all), "`jiqun clusters`")


def region_entries(con=None, levels: tuple[str, ...] | None = None) -> list[_Entry]:
    """The spellings of every region (code, names, names without 市/区/县), home province first."""
    frame = _regions(con)
    if levels:
        frame = frame[frame["level"].isin(levels)]
    entries = []
    for region in frame.itertuples():
        where = f" ({region.parent_zh})" if region.level == "county" and region.parent_zh else ""
        labels = [region.region_code, region.name_zh, region.name_en] + (
            list(PROVINCE_WORDS) if region.region_code == HOME_PROVINCE_CODE else [])
        short = [_strip_suffix(normalize(region.name_zh)), _strip_suffix(normalize(region.name_en))]
        entries.append(_Entry(region.region_code, f"{region.region_code} {region.name_zh}{where}", labels, short))
    return entries


def resolve_region(con, text, levels: tuple[str, ...] | None = None) -> str:
    """The region code that ``text`` names.

    Parameters
    ----------
    con : ibis backend or None
        A store (its ``regions`` table); None: the shipped catalogue.
    text : str
        A 6-digit code (``320500``), a Chinese or English name with or without its suffix (``苏州市``,
        ``苏州``, ``Suzhou``), or ``province`` / ``全省`` for the home province (Jiangsu).
    levels : tuple of str, optional
        Accept only regions of these levels (e.g. ``("province", "prefecture")``).

    Returns
    -------
    str
        The ``region_code``.

    Raises
    ------
    NameNotFound
        No region has that name, or several do (鼓楼区 is in Nanjing and in Xuzhou): the message lists
        the candidates or the closest matches and the valid values.
    """
    return _resolve("region", text, region_entries(con, levels), "`jiqun regions`")


def resolve_level(con, text) -> str:
    """The region level (``nation``, ``province``, ``prefecture``, ``county`` …) that ``text`` names.

    ``city``, ``市`` and ``地级市`` mean ``prefecture``; ``district``, ``县`` and ``区县`` mean ``county``.
    Levels in the store that have no alias (e.g. development zones) are accepted by their own name.
    """
    present = list(dict.fromkeys(_regions(con)["level"]))
    entries = [_Entry(level, level, [level, *LEVEL_WORDS.get(level, ())]) for level in present]
    return _resolve("level", text, entries, "`jiqun regions`")


def available_years(con, table: str = "firm_years", column: str = "year") -> list[int]:
    """The distinct years of ``table.column`` in the store, ascending."""
    expr = con.table(table)
    values = expr.select(expr[column]).distinct().execute()[column]
    return sorted(int(v) for v in values.dropna())


def resolve_year(con, text, table: str = "firm_years", column: str = "year") -> int:
    """The year that ``text`` names, if the store has data for it.

    Parameters
    ----------
    con : ibis backend
        The store.
    text : str or int
        ``2023``, ``"2023"``, ``"2023年"``, or ``latest`` / ``最新`` (the latest year with data).
    table, column : str
        Where the years with data are read (default: ``firm_years.year``).

    Returns
    -------
    int

    Raises
    ------
    NameNotFound
        Not a year, or a year without data in ``table``: the message lists the years that have data.
    """
    years = available_years(con, table, column)
    given = normalize(text).removesuffix("年").strip()
    span = _span(years)
    if not years:
        raise NameNotFound("year", str(text), f"year {str(text)!r}: the store holds no {table} data yet 尚无数据 — "
                           "load some with `jiqun ingest FILE --table firm_years`, or run `jiqun demo`")
    if given in ("latest", "最新", "最近"):
        return years[-1]
    if not re.fullmatch(r"\d{4}", given):
        raise NameNotFound("year", str(text), f"year {str(text)!r} is not a year 年份格式错误 — give four digits, "
                           f"e.g. {years[-1]}; years with data 有数据的年份: {span}")
    if int(given) not in years:
        raise NameNotFound("year", str(text), f"no {table} data for {given} 该年份无数据 — years with data "
                           f"有数据的年份: {span}", [str(y) for y in years[-3:]])
    return int(given)


def _span(years: list[int]) -> str:
    """``2016–2023`` for consecutive years, else the list."""
    if not years:
        return "none"
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)
