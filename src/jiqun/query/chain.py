"""Chain page data (产业链页面数据): the segment graph of a cluster, the firms and flows behind one
segment, and shock scenarios run in the background — the part of :class:`jiqun.query.Query` that
reads the chain analytics (:mod:`jiqun.chains`).

Firm-level rows (names, single flows, the firms a shock hits) are returned only to a scope with
``firm_level``; other readers get the counts and the segment-level figures.
"""

from __future__ import annotations

import ibis
import pandas as pd
from ibis import _

from ..display import json_scalar
from ..schema.vocab import HOME_PROVINCE_CODE

#: Rows of the firm tables behind a segment (largest first).
SEGMENT_FIRMS = 20
SEGMENT_FLOWS = 15
#: The scenario kinds a page may run (``jiqun chain shock --remove`` takes the same text).
SHOCK_KINDS = ("segment", "country", "city", "firm")


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{key: json_scalar(value) for key, value in row.items()} for row in frame.to_dict(orient="records")]


class ChainPages:
    """The chain part of :class:`jiqun.query.Query` (it uses the query's reader, scope and checks)."""

    def _chain_map(self, cluster_id: str, year=None):
        from ..chains import chain_maps
        from ..names import NameNotFound

        self._check_cluster(cluster_id)
        try:
            # Every cluster's map in one pass, once per store version: the pages and reports of all
            # fourteen clusters then cost one compilation of the chain queries, not fourteen.
            maps = self.reader.cached(("chain_maps", year), lambda con: chain_maps(con, year, leaders_k=10))
        except NameNotFound as exc:
            raise self._not_found(exc.kind, exc.text, exc.matches) from None
        if cluster_id not in maps:
            raise self._not_found("cluster with a chain", cluster_id, sorted(maps))
        return maps[cluster_id]

    def chain(self, cluster_id: str, year: int | None = None) -> dict:
        """A cluster's chain in the province: its segments (stage, metrics, weakness and the rules that
        flag it), the links between them with the amounts bought, completeness and the weak links.

        Returns
        -------
        dict
            :func:`jiqun.chains.chain_graph`'s ``cluster_id, scope, scope_zh, year, completeness, nodes,
            links`` plus ``weak_links`` (one dict per finding, with its evidence in words) and
            ``shock_choices`` (what a shock scenario on this chain may remove).
        """
        from ..chains import chain_graph

        chain = self._chain_map(cluster_id, year)
        graph = chain_graph(chain)
        keep = ["node_id", "name_zh", "rule", "rule_zh", "rule_en", "severity", "value", "threshold",
                "evidence_zh", "evidence_en"]
        weak = chain.weak_links
        graph["weak_links"] = _records(weak[[c for c in keep if c in weak.columns]]) if len(weak) else []
        graph["shock_choices"] = self._shock_choices(chain)
        return graph

    def _shock_choices(self, chain) -> dict:
        countries = sorted(set(chain.import_countries["country"].dropna())) if "country" in chain.import_countries \
            else []
        return {"segments": [{"node_id": r.node_id, "name_zh": r.name_zh, "name_en": r.name_en}
                             for r in chain.segments.itertuples() if r.n_local_firms and r.n_local_firms > 0],
                "countries": countries}

    def segment(self, cluster_id: str, node_id: str, year: int | None = None) -> dict:
        """One segment of a cluster's chain and what lies behind it.

        Returns
        -------
        dict
            ``cluster_id, node_id, name_zh, name_en, stage, year, weakness, metrics`` (the segment row),
            ``weak_links`` (its findings), ``inflows`` / ``outflows`` (template links into and out of it
            with the amounts), ``n_firms``, and for a firm-level scope ``firms`` (its province firms:
            ``uscc, name, city, city_zh, ownership, is_branch, srdi_level, single_champion, is_primary,
            output_value_yuan, employment``, largest first), ``suppliers`` (its largest suppliers with
            their share) and ``flows`` (the largest seller → buyer flows of its goods to the cluster's
            province firms).
        """
        from ..chains.chainmap import GRAPH_METRICS, STAGES

        chain = self._chain_map(cluster_id, year)
        rows = chain.segments[chain.segments["node_id"] == node_id]
        if rows.empty:
            raise self._not_found("segment", node_id, chain.segments["node_id"])
        row = rows.iloc[0]
        names = dict(zip(chain.segments["node_id"], chain.segments["name_zh"]))
        links = chain.links.assign(from_zh=chain.links["from_node_id"].map(names),
                                   to_zh=chain.links["to_node_id"].map(names))
        link_columns = ["from_node_id", "from_zh", "to_node_id", "to_zh", "amount_yuan"]
        weak = chain.weak_links[chain.weak_links["node_id"] == node_id] if len(chain.weak_links) else chain.weak_links
        out = {"cluster_id": cluster_id, "node_id": node_id, "name_zh": row["name_zh"], "name_en": row["name_en"],
               "stage": row["segment"], "stage_zh": STAGES.get(row["segment"], ""), "year": int(chain.year),
               "weakness": int(row["weakness"]), "reasons_zh": row["reasons"],
               "metrics": {c: json_scalar(row.get(c)) for c in GRAPH_METRICS},
               "weak_links": _records(weak[["rule", "rule_zh", "rule_en", "severity", "evidence_zh", "evidence_en"]])
               if len(weak) else [],
               "inflows": _records(links[links["to_node_id"] == node_id][link_columns]),
               "outflows": _records(links[links["from_node_id"] == node_id][link_columns]),
               "n_firms": json_scalar(row.get("n_local_firms")), "firm_level": self.scope.firm_level}
        if not self.scope.firm_level:
            return out
        firms, flows = self.reader.cached(("segment_firms", cluster_id, node_id, int(chain.year)),
                                          lambda con: _segment_firms(con, cluster_id, node_id, int(chain.year)))
        regions = self._regions()
        out["firms"] = _records(firms.assign(city_zh=firms["city"].map(regions)))
        suppliers = chain.leaders[chain.leaders["node_id"] == node_id]
        out["suppliers"] = _records(suppliers[["rank", "seller_id", "seller_uscc", "seller_name", "amount_yuan",
                                               "share"]])
        out["flows"] = _records(flows)
        return out

    # -- shock scenarios -----------------------------------------------------------------------------
    def shock(self, cluster_id: str, remove: list[str], share: float = 1.0, progress=None) -> dict:
        """A shock scenario on the cluster's firm network (:func:`jiqun.chains.simulation.shock_on_network`):
        ESRI, output at risk by segment, city and cluster, and — for a firm-level scope — the firms hit
        hardest and alternative suppliers. The province network is read once per store version and the
        cascade runs outside the store's reads, so other readers are not held up.

        Parameters
        ----------
        remove : list of str
            ``segment:NODE_ID``, ``country:ISO3``, ``city:CODE`` or ``firm:USCC`` (firm-level scope only).
        share : float
            ψ, the share of the removed nodes' production lost, in (0, 1].
        progress : callable, optional
            ``progress(step, steps, message_zh, message_en)``.
        """
        from ..chains.firm_network import firm_network
        from ..chains.scenarios import check_removals, parse_removal
        from ..chains.simulation import scoped_network, shock_on_network

        report = progress or (lambda *args: None)
        self._check_cluster(cluster_id)
        for text in check_removals(remove):
            kind, _values = parse_removal(text)
            if kind == "firm" and not self.scope.firm_level:
                raise PermissionError("a firm-level scenario needs firm-level access 无企业级数据权限")
        report(1, 3, "读取企业供应网络", "reading the firm supply network")
        province = self.reader.cached(("firm_network",), lambda con: firm_network(con))
        network = scoped_network(province, cluster_id)
        report(2, 3, "级联模拟计算中", "running the cascade")
        run = shock_on_network(cluster_id, network, province, list(remove), share)
        report(3, 3, "汇总结果", "summarising the results")
        return self._shock_tables(run)

    def _shock_tables(self, run) -> dict:
        tables = run.tables
        regions = self._regions()
        names = dict(zip(self._clusters()["cluster_id"], self._clusters()["name_zh"]))
        by_city = tables["by_city"].assign(city_zh=tables["by_city"]["city_code"].map(regions))
        by_cluster = tables["by_cluster"].assign(name_zh=tables["by_cluster"]["cluster_id"].map(names))
        out = {"cluster_id": run.cluster_id, "year": int(run.year), "scope": run.scope,
               "essentiality": run.essentiality, "summary": _records(tables["summary"])[0],
               "by_segment": _records(tables["by_segment"]), "by_city": _records(by_city),
               "by_cluster": _records(by_cluster), "firm_level": self.scope.firm_level}
        if self.scope.firm_level:
            out["hardest_hit"] = _records(tables["hardest_hit"])
            out["alternatives"] = _records(tables["alternatives"])
        return out


def _segment_firms(con, cluster_id: str, node_id: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The province firms serving ``node_id`` (with their output and staff in ``year``) and the largest
    flows of the segment's goods bought by the cluster's province firms in ``year``."""
    from .. import marts
    from ..chains.chainmap import supplier_labels
    from ..chains.segments import seller_identity

    home = HOME_PROVINCE_CODE[:2]
    firms = con.table("firms").filter(_.region_code.startswith(home))
    served = con.table("firm_chain_nodes").filter(_.node_id == node_id).select("uscc", "is_primary")
    accounts = con.table("firm_years").filter(_.year == year).select("uscc", "output_value_yuan", "employment")
    table = (served.join(firms, "uscc").left_join(accounts, "uscc")
             .select("uscc", "name", city=_.region_code.substr(0, 4) + "00", ownership=_.ownership,
                     is_branch=_.is_branch, srdi_level=_.srdi_level, single_champion=_.single_champion,
                     is_primary=_.is_primary, output_value_yuan=_.output_value_yuan, employment=_.employment)
             .order_by([ibis.desc("output_value_yuan"), "uscc"]).limit(SEGMENT_FIRMS))
    members = marts.firm_clusters(con).filter(_.cluster_id == cluster_id).select(buyer_uscc=_.uscc)
    bought = con.table("transactions").filter((_.node_id == node_id) & (_.year == year)).join(members, "buyer_uscc")
    # Sellers are identified and named as the chain map's suppliers are (a firm, a country, a region).
    flows = (bought.mutate(seller_id=seller_identity(_.seller_uscc, _.seller_country, _.seller_region_code))
             .group_by("seller_id", "buyer_uscc")
             .aggregate(seller_uscc=_.seller_uscc.max(), amount_yuan=_.amount_yuan.sum())
             .order_by([ibis.desc("amount_yuan"), "buyer_uscc"]).limit(SEGMENT_FLOWS).to_pandas())
    flows = supplier_labels(con, flows)
    buyers = sorted(set(flows["buyer_uscc"]))
    names = {}
    if buyers:
        found = con.table("firms").filter(_.uscc.isin(buyers)).select("uscc", "name").to_pandas()
        names = dict(zip(found["uscc"], found["name"]))
    flows["buyer_name"] = flows["buyer_uscc"].map(names)
    return table.to_pandas(), flows[["seller_uscc", "seller_name", "buyer_uscc", "buyer_name", "amount_yuan"]]
