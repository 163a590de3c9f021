"""The layers of jiqun, lowest first: a module may import modules of its own layer and of lower ones.

Declared once here; ``tests/test_layers.py`` checks every import statement of ``src/jiqun``
against it and ``docs/architecture.md`` shows it (:func:`layers_markdown`, checked by the same test).
A module belongs to the layer of the longest entry that names it or one of its packages; the entry
``jiqun`` stands for the package's ``__init__`` (the public facade) only.
"""

from __future__ import annotations

#: (layer, modules and packages in it, what it holds), lowest first.
LAYERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("foundation", ("jiqun._version", "jiqun.layers", "jiqun.settings", "jiqun.codes", "jiqun._duck",
                    "jiqun.display", "jiqun.excel", "jiqun.schema"),
     "settings, code checks, DuckDB helpers, display and Excel helpers, the data model and its vocabularies"),
    ("store", ("jiqun.store",), "opening, creating and upgrading a store: the schema only, no data"),
    ("ingest", ("jiqun.ingest",), "validated, all-or-nothing loads and their history"),
    ("reference", ("jiqun.catalogue", "jiqun.names", "jiqun.marts", "jiqun.ingest.template"),
     "the shipped reference catalogue (loaded through ingest), names of regions and clusters, the marts; "
     "Excel templates (their examples come from the catalogue files)"),
    ("io", ("jiqun.io",), "input–output tables (投入产出表): NBS-layout reader, Leontief/Ghosh maths, linkages, "
     "import dependence, sector concordances"),
    ("complexity", ("jiqun.complexity",),
     "economic complexity (经济复杂度): RCA, ECI/PCI, proximity, density, COI/COG; pure maths"),
    ("metrics", ("jiqun.metrics",), "the indicator engine"),
    ("evaluation", ("jiqun.evaluation",), "competitiveness evaluation over the indicators"),
    ("chains", ("jiqun.chains",), "industrial-chain maps (产业链图谱), weak links, the firm network, the systemic-risk "
     "cascade (ESRI) and shock scenarios"),
    ("chokepoints", ("jiqun.chokepoints",), "the chokepoint inventory (卡脖子清单): dependency screening of "
     "products, technology base, classes, breakthrough window, priority"),
    ("firms", ("jiqun.firms",), "firms of the clusters (企业): leading firms and where they are controlled from "
     "(local headquarters, branch plants of foreign or out-of-province groups), candidates for MIIT's tiers "
     "(梯度培育), near misses and growth ladders"),
    ("organizations", ("jiqun.organizations",), "cluster promotion organisations (集群促进机构): evaluation "
     "scheme as data scored by the evaluation, tiers, improvement areas, the cultivation pool (培育库)"),
    ("policy", ("jiqun.policy",), "the policy registry (政策): department × cluster × instrument matrix, overlaps, "
     "gaps against the monitored shortcomings, province–city alignment, budgets, keyword suggestions"),
    ("talent", ("jiqun.talent",), "talent flows (人才流动): city and firm flows, poaching pairs, communities of "
     "firms exchanging staff, poaching alerts, small cells suppressed"),
    ("pictures", ("jiqun.pictures",), "static pictures for reports (SVG/PNG): drawing only, from tables the "
     "analytics return"),
    ("query", ("jiqun.query",), "the one read path of pages, API and reports (查询层): the requesting scope, "
     "short-lived read-only connections, page data as JSON-ready dicts"),
    ("reports", ("jiqun.reports",), "reports (专报): the province and cluster reports in HTML, PDF and XLSX, read "
     "through the query layer, with recommendations tied to their findings"),
    ("demo", ("jiqun.demo",), "the synthetic demo: generator, run, outputs, summary"),
    ("api", ("jiqun", "jiqun.session", "jiqun.docs"),
     "the public entry points: jiqun.connect (store + reference catalogue), generated docs"),
    ("web", ("jiqun.web",), "the web observatory: FastAPI pages and REST API over the query layer"),
    ("cli", ("jiqun.cli",), "the typer command line: thin calls of the library"),
)

#: Packages no module outside ``jiqun.cli`` may import.
CLI_PACKAGE = "jiqun.cli"
#: Packages whose modules (``jiqun.store``, ``jiqun.schema``) must not import the analytics and loaders.
BACKEND_PACKAGES = ("jiqun.store", "jiqun.schema")
FORBIDDEN_IN_BACKEND = ("jiqun.ingest", "jiqun.catalogue", "jiqun.metrics", "jiqun.evaluation", "jiqun.demo",
                        "jiqun.io", "jiqun.chains", "jiqun.chokepoints", "jiqun.pictures",
                        "jiqun.complexity", "jiqun.firms", "jiqun.organizations", "jiqun.policy",
                        "jiqun.talent", "jiqun.query", "jiqun.web",
                        "jiqun.reports")


def in_package(module: str, package: str) -> bool:
    """Whether ``module`` is ``package`` or one of its submodules (``jiqun`` matches itself only)."""
    return module == package or (package != "jiqun" and module.startswith(package + "."))


def layer_of(module: str) -> int | None:
    """Index in :data:`LAYERS` of the layer of ``module`` (None for a module no entry names)."""
    best: tuple[int, int] | None = None  # (length of the matching entry, layer index)
    for index, (_name, entries, _about) in enumerate(LAYERS):
        for entry in entries:
            if in_package(module, entry) and (best is None or len(entry) > best[0]):
                best = (len(entry), index)
    return None if best is None else best[1]


def layers_markdown() -> str:
    """The layer table as Markdown (shown in docs/architecture.md)."""
    lines = ["| layer | modules | holds |", "|---|---|---|"]
    for number, (name, entries, about) in enumerate(LAYERS):
        modules = ", ".join(f"`{entry}`" for entry in entries)
        lines.append(f"| {number} {name} | {modules} | {about} |")
    return "\n".join(lines) + "\n"
