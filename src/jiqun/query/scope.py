"""The requesting scope (访问范围): what one reader may see.

Every read of the web pages, the API and the reports goes through :class:`jiqun.query.Query`, which
takes a scope; the later access-control issue (users, region-scoped roles, disclosure control) decides
scopes, and this is the one place that enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Who asks and what they may see.

    Attributes
    ----------
    label : str
        Who asks (a user or role name; recorded, not checked here).
    regions : frozenset of str, optional
        Region codes whose rows the reader may see (None: every region). A city's reader given only its
        own code does not see the province's rows.
    clusters : frozenset of str, optional
        Cluster ids the reader may see (None: every cluster).
    firm_level : bool
        Whether rows about single firms (names, flows, firm networks) may be shown.
    can_load : bool
        Whether the reader may load files into the store (the data page's upload).
    """

    label: str = "local"
    regions: frozenset[str] | None = None
    clusters: frozenset[str] | None = None
    firm_level: bool = True
    can_load: bool = True

    def allows_cluster(self, cluster_id: str) -> bool:
        return self.clusters is None or cluster_id in self.clusters

    def allows_region(self, region_code: str) -> bool:
        return self.regions is None or region_code in self.regions


#: A local analyst's scope: everything in the store (the command line and a server on 127.0.0.1).
FULL_ACCESS = Scope()
