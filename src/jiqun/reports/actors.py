"""The report section on firms, promotion organisations, policies and talent (企业、促进机构、政策与人才), read
through the query layer, with the recommendations its findings trigger."""

from __future__ import annotations

from collections import Counter

from ..display import format_value
from ..firms.tiers import TIERS
from ..query import NotFound, Query
from ..schema.vocab import INSTRUMENTS
from .content import Section, Table, _text, recommend

SOURCES = {"weak_link": ("产业链薄弱环节", "weak link"), "alert": ("监测预警", "alert"),
           "chokepoint": ("卡脖子清单", "chokepoint")}
ORG_TIERS = {"gold": ("金牌", "gold"), "silver": ("银牌", "silver"), "bronze": ("铜牌", "bronze"),
             None: ("未达标", "below bronze")}


def _or_none(read):
    try:
        return read()
    except (NotFound, ValueError):  # the store lacks these data: the section says so
        return None


def actors_section(query: Query, heading: tuple[str, str], lang: str, names: dict,
                   cluster_id: str | None = None) -> tuple[Section, list[dict]]:
    """The section (for the province, or one cluster) and its recommendations."""
    paragraphs, tables, advice = [], [], []
    firms = _or_none(lambda: query.firm_lists("candidates", cluster_id))
    close = _or_none(lambda: query.firm_lists("close", cluster_id))
    if firms is not None:
        counts = ", ".join(f"{_text(lang, TIERS[t][0], TIERS[t][1])} {n}" for t, n in firms["counts"].items())
        paragraphs.append(_text(lang, f"梯度培育候选企业（{firms['year']}年）：{counts or '无'}；距上一梯度仅差一项的"
                                      f"企业{close['n_records'] if close else 0}家。",
                                f"Tier candidates ({firms['year']}): {counts or 'none'}; "
                                f"{close['n_records'] if close else 0} firms one requirement short of the next tier."))
        by_cluster = Counter((r["cluster_id"], r["tier"]) for r in (close or {}).get("records", []))
        for (cluster, tier), n in by_cluster.most_common(3):
            advice.append(recommend("firm_close", tier, lang, _text(lang, f"{n}家企业差一项", f"{n} firms one short"),
                                    cluster=names.get(cluster, cluster), n=n, tier=_text(lang, *TIERS[tier][:2])))
    organizations = _or_none(query.organization_lists)
    if organizations is not None:
        records = [r for r in organizations["records"] if cluster_id in (None, r["cluster_id"])]
        tiers = Counter(r["tier"] for r in records)
        paragraphs.append(_text(lang, "集群促进机构评价：" + "、".join(f"{ORG_TIERS[t][0]}{n}家" for t, n in tiers.items()),
                                "Promotion organisations: " + ", ".join(f"{n} {ORG_TIERS[t][1]}" for t, n in tiers.items())))
        tables.append(Table(_text(lang, "表 集群促进机构评价", "Table: cluster promotion organisations"),
                            [_text(lang, "排名", "Rank"), _text(lang, "机构", "Organisation"), _text(lang, "得分", "Score"),
                             _text(lang, "等级", "Tier"), _text(lang, "定级依据", "Rule")],
                            [[str(r["rank"]), r["name"], format_value(r["score"], "index"),
                              _text(lang, *ORG_TIERS[r["tier"]]), r["rule"]] for r in records[:12]], {0, 2}))
    _policy(query, lang, names, cluster_id, paragraphs, tables, advice)
    talent = _or_none(lambda: query.talent_lists("alerts", cluster=cluster_id))
    if talent is not None:
        for alert in talent["records"][:3]:
            advice.append(recommend("talent_alert", "any", lang, alert["rule"], city=alert.get("name") or "",
                                    rival=alert.get("rival_name") or ""))
        flows = _or_none(lambda: query.talent_lists("flows", cluster=cluster_id)) or {"records": []}
        losing = sorted((r for r in flows["records"] if r.get("net") is not None), key=lambda r: r["net"])[:3]
        if losing:
            paragraphs.append(_text(lang, "人才净流出最多的城市：", "Cities losing most staff: ") + _text(lang, "、", ", ").join(
                _text(lang, f'{r["name"]}（{r["net"]:+d}）', f'{r["name"]} ({r["net"]:+d})') for r in losing))
    return Section(_text(lang, *heading), paragraphs or [_text(lang, "库中无相关数据。", "No data in the store.")],
                   tables), [entry for entry in advice if entry]


def _policy(query, lang, names, cluster_id, paragraphs, tables, advice) -> None:
    """Overlaps and gaps of the policy mix: a paragraph, the gaps' table and their recommendations."""
    overlaps = _or_none(lambda: query.policy_lists("overlaps"))
    gaps = _or_none(lambda: query.policy_lists("gaps"))
    if overlaps is None or gaps is None:
        return
    overlap_rows = [r for r in overlaps["records"] if r["kind"] == "horizontal" and cluster_id in (None, r["cluster_id"])]
    open_gaps = [r for r in gaps["records"] if not r["addressed"] and cluster_id in (None, r["cluster_id"])]
    paragraphs.append(_text(lang, f"政策组合（{overlaps['year']}年有效政策）：同一政府多部门对同一集群使用同一工具{len(overlap_rows)}处；"
                                  f"监测、产业链与卡脖子清单发现的问题中{len(open_gaps)}项尚无对应政策。",
                            f"Policy mix (policies in force in {overlaps['year']}): {len(overlap_rows)} cases of several "
                            f"departments of one government using the same instrument for the same cluster; "
                            f"{len(open_gaps)} shortcomings no policy addresses."))
    for row in overlap_rows[:2]:
        advice.append(recommend("policy_overlap", "any", lang, row["departments"], cluster=names.get(row["cluster_id"],
                                row["cluster_id"]), instrument=_text(lang, INSTRUMENTS[row["instrument"]][1], INSTRUMENTS[row["instrument"]][2])
                                if row["instrument"] in INSTRUMENTS else row["instrument"], n=row["n_departments"]))
    for row in [g for g in open_gaps if g["source"] == "chokepoint"][:2] + [g for g in open_gaps
                                                                           if g["source"] == "weak_link"][:1]:
        advice.append(recommend("policy_gap", "any", lang, row["evidence"], cluster=names.get(row["cluster_id"],
                                row["cluster_id"]), segment=row.get("node_zh") or row.get("node_id") or row.get("kind_zh") or row["kind"]))
    if open_gaps:
        tables.append(Table(_text(lang, "表 尚无对应政策的问题", "Table: shortcomings without a policy"),
                            [_text(lang, "来源", "Source"), _text(lang, "问题", "Problem"), _text(lang, "集群", "Cluster"),
                             _text(lang, "环节", "Segment"), _text(lang, "依据", "Evidence")],
                            [[SOURCES[r["source"]][0 if lang == "zh" else 1], r.get("kind_zh") or r["kind"],
                              names.get(r["cluster_id"], r["cluster_id"]), r.get("node_zh") or r.get("node_id") or "—",
                              str(r["evidence"])[:80]] for r in open_gaps[:15]]))
