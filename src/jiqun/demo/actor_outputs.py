"""The demo's outputs on firms, promotion organisations, policies and talent: each module's workbook (every
view, criteria and evidence) and its contract JSON, as the CLI writes them."""

from __future__ import annotations

import json
from pathlib import Path


def _json(records: list[dict], path: Path) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_actor_outputs(con, out_dir: Path) -> list[Path]:
    """Write ``firms.xlsx``/``firms.json`` (tier candidates with every criterion), ``organizations.xlsx``/
    ``.json`` (scores, rank intervals, tiers, improvement areas, the pool), ``policy.xlsx`` with
    ``policy_overlaps.json`` and ``policy_gaps.json``, and ``talent.xlsx``/``talent.json`` (city flows);
    return them."""
    from ..firms.candidates import firm_tiers
    from ..firms.export import firm_records, leaders_with_origin, write_firm_workbook
    from ..firms.tiers import load_criteria
    from ..organizations import evaluate_organizations
    from ..organizations.export import organization_records, write_organization_workbook
    from ..policy import VIEWS as POLICY_VIEWS
    from ..policy import policy_view
    from ..policy.export import policy_records, write_policy_workbook
    from ..talent.export import talent_records, write_talent_workbook
    from ..talent.store import min_moves_setting, talent_alerts, talent_communities, talent_flows, talent_pairs

    written = []
    lists = firm_tiers(con)
    leaders = leaders_with_origin(con, None, lists.year)
    written.append(write_firm_workbook(out_dir / "firms.xlsx", lists, leaders, load_criteria()))
    written.append(_json(firm_records(lists, "candidates"), out_dir / "firms.json"))
    organizations = evaluate_organizations(con)
    written.append(write_organization_workbook(out_dir / "organizations.xlsx", organizations))
    written.append(_json(organization_records(organizations), out_dir / "organizations.json"))
    policies = {view: policy_view(con, view) for view in POLICY_VIEWS}
    written.append(write_policy_workbook(out_dir / "policy.xlsx", policies, int(policies["matrix"].year.iloc[0])))
    written.append(_json(policy_records(policies["overlaps"]), out_dir / "policy_overlaps.json"))
    written.append(_json(policy_records(policies["gaps"]), out_dir / "policy_gaps.json"))
    talent = {"flows": talent_flows(con), "pairs": talent_pairs(con), "communities": talent_communities(con),
              "alerts": talent_alerts(con)}
    written.append(write_talent_workbook(out_dir / "talent.xlsx", talent, min_moves_setting(None)))
    written.append(_json(talent_records(talent["flows"]), out_dir / "talent.json"))
    return written
