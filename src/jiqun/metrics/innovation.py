"""Innovation and technology control (关键技术控制力).

Patents are attributed to Chinese applicant firms by ``applicant_uscc`` and counted in the year
of application (applications) or of grant (grants). A firm's patents count for a cluster
× region × year when the firm has accounts (``firm_years``) that year.

Technology fields: each patent's main IPC is mapped to one of WIPO's 35 fields
(``ipc_technology_fields``; the most specific matching pattern, then the lowest field number).
The cluster's fields F_c are the WIPO fields of the IPC classes of its chain nodes
(``chain_node_technologies``). "National" means applicants with country CHN in the store.
Technology shares use invention applications.

Formulas
--------
rd_intensity                    Σ R&D_i / Σ revenue_i
invention_apps_per_10k_emp      10,000 · A / E            (A invention applications, E employment)
invention_grants_per_10k_emp    10,000 · B / E            (B invention grants)
invention_apps_per_100m_output  A / (Q / 10^8)            (per 亿元 of output)
invention_grants_per_100m_output B / (Q / 10^8)
pct_applications                number of PCT applications (any type) of the cluster's firms
national_patent_share           A_c,r(F_c) / A_CHN(F_c)   cluster firms' share of national
                                invention applications in the cluster's fields
rta_cluster_fields              (P_r(F_c) / P_r) / (P_CHN(F_c) / P_CHN) — revealed technological
                                advantage of all applicants located in region r in the fields F_c
foreign_applicant_share         A_foreign(F_c) / A_all(F_c): share of the invention applications in
                                the cluster's fields filed by foreign applicants (region 100000)
"""

from __future__ import annotations

import ibis
from ibis import _

from .base import stack, KEYS, NATION_CODE, level_code, melt, safe_div
from .registry import indicator_group


def normalise_ipc(ipc):
    """IPC symbol → PATSTAT padding: subclass + main group right-aligned in 4 + '/' + subgroup."""
    s = ipc.strip().upper()
    sub = s.substr(0, 4)
    rest = s.substr(4).strip()
    # find/substr rather than split()[1]: Spark (ANSI mode) raises on an index past a one-element
    # array, which a main group without "/" ("H01L 21") gives.
    slash = rest.find("/")
    group = ibis.ifelse(slash >= 0, rest.substr(0, slash), rest)
    subgroup = ibis.ifelse(slash >= 0, rest.substr(slash + 1), ibis.literal(""))
    return ibis.ifelse(rest.length() > 0, sub + group.lpad(4, " ") + "/" + subgroup, sub)


def ipc_fields(codes: ibis.Table, fields: ibis.Table, column: str = "ipc", pattern_length: bool = False) -> ibis.Table:
    """Map IPC symbols to WIPO fields: adds ``field_nr`` (one per symbol: the longest matching pattern,
    then the lowest field number; subclass-only symbols match every pattern of their subclass), and
    with ``pattern_length`` the length of the pattern chosen (``pattern_length``)."""
    pats = fields.select("field_nr", pattern=_.ipc, sub=_.ipc.substr(0, 4))
    c = codes.mutate(_norm=normalise_ipc(codes[column]))
    c = c.mutate(_sub=_._norm.substr(0, 4))
    j = c.join(pats, c._sub == pats.sub).filter((_._norm.like(_.pattern)) | (_._norm.length() == 4))
    w = ibis.window(group_by=list(codes.columns), order_by=[ibis.desc(_.pattern.length()), "field_nr"])
    j = j.mutate(_rk=ibis.row_number().over(w)).filter(_._rk == 0)
    return j.select(*codes.columns, "field_nr", **({"pattern_length": _.pattern.length()} if pattern_length else {}))


def ipc_head(ipc):
    """The IPC symbol up to and including its first ``/`` (the whole symbol when it has none): the
    symbol's subclass and main group, whose normalised form is that of the symbol up to its ``/``."""
    slash = ipc.find("/")
    return ibis.ifelse(slash >= 0, ipc.substr(0, slash + 1), ipc)


def head_patterns(fields: ibis.Table):
    """Whether a pattern of ``ipc_technology_fields`` reads only the subclass and main group: a
    trailing ``%`` and no other wildcard and no ``/`` before it. For such a pattern, a symbol matches
    exactly when its :func:`ipc_head` does (the text after the ``/`` is never compared)."""
    stem = fields.ipc.substr(0, fields.ipc.length() - 1)
    return fields.ipc.endswith("%") & ~stem.contains("%") & ~stem.contains("_") & ~stem.contains("/")


def map_ipc_fields(table: ibis.Table, fields: ibis.Table, column: str = "ipc") -> ibis.Table:
    """``table`` with ``field_nr``, the WIPO field of its IPC symbol in ``column`` as :func:`ipc_fields`
    gives it (null where no pattern matches or the symbol is null).

    Patents carry many distinct symbols (subgroups) but few distinct subclass + main group heads, and
    the WIPO concordance's patterns stop at the main group: head-only patterns (:func:`head_patterns`)
    are matched once per :func:`ipc_head`, the others once per symbol of their subclasses; each
    symbol takes the better of the two matches by the same rule (longest pattern, then lowest field)."""
    is_head = head_patterns(fields)
    head_only, other = fields.filter(is_head), fields.filter(~is_head)
    symbols = table.select(_sym=table[column]).filter(_._sym.notnull())
    with_heads = table.mutate(_head=ipc_head(table[column]))
    heads = ipc_fields(symbols.select(_head=ipc_head(_._sym)).distinct(), head_only, "_head", pattern_length=True)
    heads = heads.select(_head_key=_._head, _head_field=_.field_nr, _head_length=_.pattern_length)
    other_subs = other.select(_osub=_.ipc.substr(0, 4)).distinct()
    candidates = symbols.filter(_._sym.strip().upper().substr(0, 4).isin(other_subs._osub)).distinct()
    rest = ipc_fields(candidates, other, "_sym", pattern_length=True)
    rest = rest.select(_symbol_key=_._sym, _symbol_field=_.field_nr, _symbol_length=_.pattern_length)
    matched = with_heads.left_join(heads, with_heads._head == heads._head_key).left_join(
        rest, with_heads[column] == rest._symbol_key)
    head_length, symbol_length = matched._head_length, matched._symbol_length
    head_field, symbol_field = matched._head_field, matched._symbol_field
    take_other = symbol_field.notnull() & (head_field.isnull() | (symbol_length > head_length)
                                           | ((symbol_length == head_length) & (symbol_field < head_field)))
    return matched.select(*table.columns, field_nr=ibis.ifelse(take_other, symbol_field, head_field))


def node_fields(con) -> ibis.Table:
    """``node_id, field_nr``: WIPO fields of each chain node's IPC classes (a subclass covers all the
    fields of its patterns)."""
    codes = con.table("chain_node_technologies").select("node_id", "ipc").distinct()
    pats = con.table("ipc_technology_fields").select("field_nr", pattern=_.ipc, sub=_.ipc.substr(0, 4))
    c = codes.mutate(_norm=normalise_ipc(_.ipc))
    j = c.join(pats, c._norm.substr(0, 4) == pats.sub).filter(_._norm.like(_.pattern) | (_._norm.length() == 4))
    return j.select("node_id", "field_nr").distinct()


def cluster_fields(con) -> ibis.Table:
    """``cluster_id, field_nr``: WIPO fields of the cluster's chain-node IPC classes."""
    nodes = con.table("chain_nodes").select("node_id", "cluster_id")
    return node_fields(con).join(nodes, "node_id").select("cluster_id", "field_nr").distinct()


def patents_enriched(con) -> ibis.Table:
    """Patents with ``app_year``, ``grant_year``, ``is_invention``, ``field_nr``, ``country``."""
    p = con.table("patents").select(
        "patent_id", "applicant_uscc", "applicant_region_code", "pct", ipc=_.ipc_main,
        country=_.applicant_country.fill_null("CHN"), app_year=_.application_date.year().cast("int64"),
        grant_year=_.grant_date.year().cast("int64"), is_invention=_.patent_type == "invention")
    # Patterns are matched once per distinct main group (or symbol), not once per patent.
    return map_ipc_fields(p, con.table("ipc_technology_fields"))


def with_patent_counts(fy: ibis.Table, patents: ibis.Table) -> ibis.Table:
    """``fy`` with its firm-years' invention applications (``apps``), PCT applications (``pct``) and
    invention grants (``grants``), 0 where none."""
    pf = patents.filter(_.applicant_uscc.notnull())
    apps = pf.group_by(uscc=_.applicant_uscc, year=_.app_year).aggregate(
        apps=_.is_invention.cast("int64").sum(), pct=_.pct.fill_null(False).cast("int64").sum())
    grants = pf.filter(_.grant_year.notnull()).group_by(uscc=_.applicant_uscc, year=_.grant_year).aggregate(
        grants=_.is_invention.cast("int64").sum())
    base = fy.left_join(apps, ["uscc", "year"]).select(*fy.columns, apps=_.apps.fill_null(0),
                                                        pct=_.pct.fill_null(0))
    return base.left_join(grants, ["uscc", "year"]).select(*base.columns, grants=_.grants.fill_null(0))


def innovation_indicators(fy_patents: ibis.Table, patents: ibis.Table, fields: ibis.Table, levels) -> ibis.Table:
    """All innovation indicators in long form (see module docstring).

    Parameters
    ----------
    fy_patents : ibis.Table
        Cluster firm-years with their patent counts (:func:`with_patent_counts`): ``cluster_id,
        region_code, year, uscc, rd, revenue, employment, output, apps, grants, pct``.
    patents : ibis.Table
        :func:`patents_enriched`.
    fields : ibis.Table
        :func:`cluster_fields` (``cluster_id, field_nr``).
    levels : sequence of str
        The geographic levels of ``fy_patents``.
    """
    wide = fy_patents.group_by(*KEYS).aggregate(
        n=_.count(), rd=_.rd.sum(), rd_max=_.rd.max(), revenue=_.revenue.sum(),
        employment=_.employment.sum(), output=_.output.sum(), apps=_.apps.sum(), apps_max=_.apps.max(),
        grants=_.grants.sum(), grants_max=_.grants.max(), pct=_.pct.sum(), pct_max=_.pct.max())
    parts = [melt(wide, {
        "rd_intensity": (safe_div(_.rd, _.revenue), _.n, safe_div(_.rd_max, _.rd)),
        "invention_apps_per_10k_emp": (safe_div(10_000 * _.apps, _.employment), _.n, safe_div(_.apps_max, _.apps)),
        "invention_grants_per_10k_emp": (safe_div(10_000 * _.grants, _.employment), _.n,
                                         safe_div(_.grants_max, _.grants)),
        "invention_apps_per_100m_output": (safe_div(_.apps, _.output / 1e8), _.n, safe_div(_.apps_max, _.apps)),
        "invention_grants_per_100m_output": (safe_div(_.grants, _.output / 1e8), _.n,
                                             safe_div(_.grants_max, _.grants)),
        "pct_applications": (_.pct, _.n, safe_div(_.pct_max, _.pct)),
    })]

    inv = patents.filter(_.is_invention & _.field_nr.notnull())
    in_fields = inv.join(fields, "field_nr")  # one row per patent × cluster whose fields include it
    national = in_fields.filter(_.country == "CHN").group_by("cluster_id", year=_.app_year).aggregate(
        nat=_.count())
    firm_field = in_fields.filter(_.applicant_uscc.notnull()).group_by(
        "cluster_id", uscc=_.applicant_uscc, year=_.app_year).aggregate(a=_.count())
    cf = fy_patents.select(*KEYS, "uscc").join(firm_field, ["cluster_id", "uscc", "year"])
    share = cf.group_by(*KEYS).aggregate(a=_.a.sum(), amax=_.a.max(), n=_.count()).join(
        national, ["cluster_id", "year"])
    parts.append(melt(share, {"national_patent_share": (safe_div(_.a, _.nat), _.n, safe_div(_.amax, _.a))}))

    # RTA of all applicants located in the region.
    chn = inv.filter((_.country == "CHN") & _.applicant_region_code.notnull())
    p_nat = chn.group_by(year=_.app_year).aggregate(p_n=_.count())
    p_nat_f = in_fields.filter(_.country == "CHN").group_by("cluster_id", year=_.app_year).aggregate(
        p_nf=_.count())
    lv_parts = []
    for lv in levels:
        lv_parts.append(chn.mutate(region_code=level_code(_.applicant_region_code, lv)))
    chn_lv = stack(*lv_parts)
    p_r = chn_lv.group_by("region_code", year=_.app_year).aggregate(p_r=_.count())
    in_r = chn_lv.join(fields, "field_nr")
    per_app = in_r.group_by("cluster_id", "region_code", "applicant_uscc", year=_.app_year).aggregate(
        k=_.count())
    p_rf = per_app.group_by(*KEYS).aggregate(p_rf=_.k.sum(), kmax=_.k.max(), n=_.count())
    rta = p_rf.join(p_r, ["region_code", "year"]).join(p_nat, "year").join(p_nat_f, ["cluster_id", "year"])
    # Only the store's own units (regions with cluster firms): applicants from other provinces count in
    # the national reference, but their regions are not units of this observatory.
    rta = rta.join(wide.select(*KEYS), list(KEYS), how="semi")
    parts.append(melt(rta, {
        "rta_cluster_fields": (safe_div(safe_div(_.p_rf, _.p_r), safe_div(_.p_nf, _.p_n)), _.n,
                               safe_div(_.kmax, _.p_rf))}))

    allf = in_fields.group_by("cluster_id", year=_.app_year).aggregate(
        total=_.count(), foreign=(_.country != "CHN").cast("int64").sum())
    allf = allf.mutate(region_code=ibis.literal(NATION_CODE))
    parts.append(melt(allf, {"foreign_applicant_share": (safe_div(_.foreign, _.total), None, None)}))
    return stack(*parts)


@indicator_group("innovation", ids=("rd_intensity", "invention_apps_per_10k_emp", "invention_grants_per_10k_emp",
                                    "invention_apps_per_100m_output", "invention_grants_per_100m_output",
                                    "pct_applications", "national_patent_share", "rta_cluster_fields",
                                    "foreign_applicant_share"),
                 reads=("fy_patents", "patents", "fields"))
def innovation_group(tables, opts):
    return innovation_indicators(tables["fy_patents"], tables["patents"], tables["fields"], opts.levels)
