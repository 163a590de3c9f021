"""Talent flows (人才流动) and poaching (互挖墙角): city and firm flows, poaching pairs, communities of firms
exchanging staff and poaching alerts, with small cells suppressed."""

from .flows import (FLOW_COLUMNS, PAIR_COLUMNS, ROLE_GROUPS, calc_pair_flows, calc_rival_losses, calc_unit_flows,
                    select_staff, suppress_small)
from .store import LEVELS, move_years, read_moves, talent_alerts, talent_communities, talent_flows, talent_pairs

__all__ = ["FLOW_COLUMNS", "LEVELS", "PAIR_COLUMNS", "ROLE_GROUPS", "calc_pair_flows", "calc_rival_losses",
           "calc_unit_flows", "move_years", "read_moves", "select_staff", "suppress_small", "talent_alerts",
           "talent_communities", "talent_flows", "talent_pairs"]
