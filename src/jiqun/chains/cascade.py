"""The firm-level shock cascade and the Economic Systemic Risk Index (ESRI, 经济系统性风险指数).

The model of Diem, Borsos, Reisch, Kertész & Thurner, "Quantifying firm-level economic systemic risk
from nation-wide supply networks", Sci. Rep. 12, 7719 (2022), as written in issue 15 and
``docs/esri.md``; reference implementation: the GLcascade R package of the same authors.

``W[i, j]`` is the sales of firm ``i`` to firm ``j``; ``h_down[j]`` / ``h_up[i]`` the share of its
production a firm keeps after the shock propagated downstream (to customers, through lost inputs) and
upstream (to suppliers, through lost demand). All firms are updated synchronously from the previous
step's values, one scenario per column of ``psi``. Pure numpy / scipy.sparse: no I/O.

Internally the firms are renumbered in sector order, so that in the buyer × supplier matrix the
suppliers of one sector are contiguous in each row: the (buyer, supplier sector) pairs of the
essential inputs are then runs of consecutive non-zeros and need no sort of the edges.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from jiqun.chains.essentiality import ESSENTIAL, NON_ESSENTIAL, validate_essentiality

#: Default bound on the number of synchronous steps of one scenario.
DEFAULT_MAX_ITER = 1000
#: Default memory budget (bytes) of the per-batch work arrays of :func:`esri`.
DEFAULT_BATCH_BYTES = 1 << 30


@dataclass(frozen=True)
class CascadeNetwork:
    """A firm network prepared for the cascade (firms renumbered in sector order: "internal" order).

    Build it with :func:`prepare_network`; reuse it for many :func:`run_cascade` calls.
    ``essential`` is a (pairs × n) CSR matrix: one row per (buyer j, supplier sector k) with E[k, p(j)] = 2,
    entries Λd[i, j] = W[i, j] / (j's purchases from k); its rows are grouped by buyer, the groups
    starting at ``essential_starts`` for the buyers ``essential_buyers``. ``linear`` (n × n, buyer ×
    supplier) holds Λd[i, j] = W[i, j] / (j's total purchases) where E[p(i), p(j)] = 1; ``upstream``
    (n × n, supplier × customer) holds Λu[i, j] = W[i, j] / (i's total sales).
    """

    n: int
    order: np.ndarray            # internal position -> original firm index
    rank: np.ndarray             # original firm index -> internal position
    essential: sp.csr_matrix
    essential_starts: np.ndarray
    essential_buyers: np.ndarray
    linear: sp.csr_matrix
    upstream: sp.csr_matrix
    out_strength: np.ndarray     # total sales, original order
    market_indicator: sp.csr_matrix | None  # markets × n (internal), ones
    market_of: np.ndarray | None            # internal position -> market number
    out_strength_internal: np.ndarray

    @property
    def nbytes(self) -> int:
        """Bytes held by the prepared matrices and vectors."""
        total = sum(a.nbytes for a in (self.order, self.rank, self.essential_starts, self.essential_buyers,
                                       self.out_strength, self.out_strength_internal))
        for matrix in (self.essential, self.linear, self.upstream, self.market_indicator):
            if matrix is not None:
                total += matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
        if self.market_of is not None:
            total += self.market_of.nbytes
        return total

    def work_bytes_per_scenario(self) -> int:
        """Bytes of float64 work arrays one scenario column needs during :func:`run_cascade`."""
        return 8 * (self.essential.shape[0] + 12 * self.n)


def _edges(W, n_expected: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-zero (seller, buyer, value) triples of W, duplicates summed; checks shape and values."""
    if sp.issparse(W):
        coo = sp.coo_matrix(W)
        coo.sum_duplicates()
        rows, cols, vals = coo.row, coo.col, np.asarray(coo.data, dtype=np.float64)
    else:
        dense = np.asarray(W, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(f"W must be a 2-d matrix, got {dense.ndim} dimension(s)")
        rows, cols = np.nonzero(dense)
        vals = dense[rows, cols]
        coo = dense
    if coo.shape[0] != coo.shape[1]:
        raise ValueError(f"W must be square (n × n firms), got shape {coo.shape}")
    if coo.shape[0] != n_expected:
        raise ValueError(f"W has {coo.shape[0]} firms but sectors has {n_expected} labels")
    if not np.all(np.isfinite(vals)) or (vals < 0).any():
        raise ValueError("W must hold finite, non-negative sales values")
    keep = vals > 0
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64), vals[keep]


def _codes(labels: Sequence, n: int, what: str) -> tuple[np.ndarray, pd.Index]:
    series = pd.Series(list(labels), dtype=object)
    if len(series) != n:
        raise ValueError(f"{what} has {len(series)} labels, expected one per firm ({n})")
    if series.isna().any():
        raise ValueError(f"{what} has missing labels at firm position(s) "
                         f"{np.flatnonzero(series.isna().to_numpy())[:10].tolist()}")
    codes, uniques = pd.factorize(series)
    return codes.astype(np.int64), pd.Index(uniques, dtype=object)


def _essential_pairs(buyer_by_supplier: sp.csr_matrix, sector_internal: np.ndarray):
    """Pair matrix of the essential inputs from the buyer × supplier matrix of essential sales."""
    n = buyer_by_supplier.shape[0]
    indptr, suppliers, sales = buyer_by_supplier.indptr, buyer_by_supplier.indices, buyer_by_supplier.data
    nnz = sales.size
    if nnz == 0:
        empty = sp.csr_matrix((0, n), dtype=np.float64)
        return empty, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    buyer = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    supplier_sector = sector_internal[suppliers]
    new_pair = np.ones(nnz, dtype=bool)
    new_pair[1:] = (buyer[1:] != buyer[:-1]) | (supplier_sector[1:] != supplier_sector[:-1])
    pair_ptr = np.append(np.flatnonzero(new_pair), nnz)
    pair_lengths = np.diff(pair_ptr)
    pair_purchases = np.add.reduceat(sales, pair_ptr[:-1])
    shares = sales / np.repeat(pair_purchases, pair_lengths)
    pairs = sp.csr_matrix((shares, suppliers, pair_ptr), shape=(pair_ptr.size - 1, n))
    pair_buyer = buyer[pair_ptr[:-1]]
    first_of_buyer = np.ones(pair_buyer.size, dtype=bool)
    first_of_buyer[1:] = pair_buyer[1:] != pair_buyer[:-1]
    starts = np.flatnonzero(first_of_buyer)
    return pairs, starts, pair_buyer[starts]


def prepare_network(W, sectors: Sequence, essentiality: pd.DataFrame, *,
                    market: Sequence | None = None) -> CascadeNetwork:
    """Prepare the sparse matrices of the cascade once (see :class:`CascadeNetwork`).

    Parameters are those of :func:`cascade`. Costs a few passes over the edges (no edge sort).
    """
    n = len(sectors)
    sector_codes, sector_labels = _codes(sectors, n, "sectors")
    matrix = validate_essentiality(essentiality, sector_labels.tolist())
    e = matrix.loc[sector_labels.tolist(), sector_labels.tolist()].to_numpy(dtype=np.int8)
    sellers, buyers, sales = _edges(W, n)

    order = np.argsort(sector_codes, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    sector_internal = sector_codes[order]
    seller_i, buyer_i = rank[sellers], rank[buyers]
    kind = e[sector_internal[seller_i], sector_internal[buyer_i]]
    purchases = np.bincount(buyer_i, weights=sales, minlength=n)
    sold = np.bincount(seller_i, weights=sales, minlength=n)

    upstream = sp.csr_matrix((sales / sold[seller_i], (seller_i, buyer_i)), shape=(n, n))
    lin = kind == NON_ESSENTIAL
    linear = sp.csr_matrix((sales[lin] / purchases[buyer_i[lin]], (buyer_i[lin], seller_i[lin])), shape=(n, n))
    ess = kind == ESSENTIAL
    essential_sales = sp.csr_matrix((sales[ess], (buyer_i[ess], seller_i[ess])), shape=(n, n))
    essential_sales.sort_indices()
    pairs, starts, pair_buyers = _essential_pairs(essential_sales, sector_internal)

    market_indicator = market_of = None
    if market is not None:
        market_codes, _ = _codes(market, n, "market")
        market_of = market_codes[order]
        market_indicator = sp.csr_matrix((np.ones(n), (market_of, np.arange(n))),
                                         shape=(int(market_of.max()) + 1 if n else 0, n))
    return CascadeNetwork(n=n, order=order, rank=rank, essential=pairs, essential_starts=starts,
                          essential_buyers=pair_buyers, linear=linear, upstream=upstream,
                          out_strength=np.bincount(sellers, weights=sales, minlength=n),
                          market_indicator=market_indicator, market_of=market_of,
                          out_strength_internal=sold)


def _replaceability(net: CascadeNetwork, loss_down: np.ndarray) -> np.ndarray:
    """σ_i = min(1, s_out_i / Σ_{l in market(i)} hd_l · s_out_l) from the current step's hd (n × S)."""
    s_out = net.out_strength_internal[:, None]
    remaining = net.market_indicator @ ((1.0 - loss_down) * s_out)
    denominator = remaining[net.market_of]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(denominator > 0, s_out / denominator, 1.0)
    return np.minimum(sigma, 1.0)


def _downstream_step(net: CascadeNetwork, loss_down: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Next downstream losses 1 − hd (n × S) from the previous step's (synchronous update)."""
    lost = loss_down if net.market_indicator is None else loss_down * _replaceability(net, loss_down)
    loss = np.asarray(net.linear @ lost)                # Σ over non-essential k of (1 − π[j, k])
    np.maximum(loss, psi, out=loss)
    if net.essential.shape[0]:
        pair_loss = np.asarray(net.essential @ lost)    # 1 − π[j, k] for essential (j, k)
        worst = np.maximum.reduceat(pair_loss, net.essential_starts, axis=0)
        rows = net.essential_buyers
        loss[rows] = np.maximum(loss[rows], worst)
    return np.minimum(loss, 1.0, out=loss)


def _upstream_step(net: CascadeNetwork, loss_up: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Next upstream losses 1 − hu (n × S): Σ_j Λu[i, j] (1 − hu[j]), at least ψ, at most 1."""
    loss = np.asarray(net.upstream @ loss_up)
    np.maximum(loss, psi, out=loss)
    return np.minimum(loss, 1.0, out=loss)


def _iterate(net: CascadeNetwork, psi: np.ndarray, eps: float, max_iter: int):
    """Run the synchronous updates on internal-order shocks psi (n × S); returns losses and steps.

    Each scenario (column) stops on its own, after the first step whose largest drop of hd or hu
    over all firms is ≤ eps, so results do not depend on which scenarios share a batch.
    """
    loss_down, loss_up = psi.copy(), psi.copy()
    steps = np.zeros(psi.shape[1], dtype=np.int64)
    active = np.arange(psi.shape[1])
    for _ in range(max_iter):
        if active.size == 0:
            break
        every = active.size == psi.shape[1]
        down = loss_down if every else np.ascontiguousarray(loss_down[:, active])
        up = loss_up if every else np.ascontiguousarray(loss_up[:, active])
        shock = psi if every else np.ascontiguousarray(psi[:, active])
        new_down = _downstream_step(net, down, shock)
        new_up = _upstream_step(net, up, shock)
        drop = np.maximum((new_down - down).max(axis=0, initial=0.0), (new_up - up).max(axis=0, initial=0.0))
        if every:
            loss_down, loss_up = new_down, new_up
        else:
            loss_down[:, active], loss_up[:, active] = new_down, new_up
        steps[active] += 1
        active = active[drop > eps]
    if active.size:
        warnings.warn(f"cascade: {active.size} scenario(s) still moved by more than eps={eps} after "
                      f"max_iter={max_iter} steps", RuntimeWarning, stacklevel=3)
    return loss_down, loss_up, steps


def _check_psi(psi, n: int) -> np.ndarray:
    if sp.issparse(psi):
        psi = psi.toarray()
    values = np.asarray(psi, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] != n:
        raise ValueError(f"psi must have shape (n={n},) or (n={n}, scenarios), got {np.shape(psi)}")
    if not np.all(np.isfinite(values)) or (values < 0).any() or (values > 1).any():
        raise ValueError("psi (initial shocks) must be between 0 and 1")
    return values


def run_cascade(network: CascadeNetwork, psi, eps: float = 0.01, *, max_iter: int = DEFAULT_MAX_ITER,
                return_steps: bool = False):
    """The cascade on a prepared network; see :func:`cascade` (returns ``(h_down, h_up)``, and the
    number of steps of each scenario when ``return_steps``)."""
    if not eps >= 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    values = _check_psi(psi, network.n)
    internal = np.ascontiguousarray(values[network.order])
    loss_down, loss_up, steps = _iterate(network, internal, float(eps), int(max_iter))
    h_down, h_up = 1.0 - loss_down[network.rank], 1.0 - loss_up[network.rank]
    return (h_down, h_up, steps) if return_steps else (h_down, h_up)


def cascade(W, sectors: Sequence, essentiality: pd.DataFrame, psi, eps: float = 0.01, *,
            market: Sequence | None = None, max_iter: int = DEFAULT_MAX_ITER):
    """Propagate initial shocks through a firm supply network (Diem et al. 2022; GLcascade).

    Parameters
    ----------
    W
        n × n sales matrix, numpy array or scipy.sparse: ``W[i, j]`` = sales of firm i to firm j (≥ 0).
    sectors
        Length-n sequence of sector labels p(i).
    essentiality
        DataFrame indexed (supplying sector k) and columned (buying sector l) by the sector labels, values
        0 negligible / 1 non-essential / 2 essential (see :mod:`jiqun.chains.essentiality`).
    psi
        Initial shocks in [0, 1]: shape (n,) for one scenario or (n, scenarios), one scenario per column
        (dense or scipy.sparse).
    eps
        Each scenario stops after the first synchronous step in which no firm's hd or hu drops by more
        than ``eps``.
    market
        Optional length-n market labels (e.g. 4-digit sectors) for replaceability by market share
        (GLcascade's ``p_market``): i's downstream row is multiplied by
        σ_i = min(1, s_out_i / Σ_{l in i's market} hd_l · s_out_l), hd of the current step.
    max_iter
        Bound on the number of steps (a RuntimeWarning names the scenarios still moving).

    Returns
    -------
    (h_down, h_up)
        float arrays (n, scenarios): the share of production each firm keeps, downstream (lost inputs)
        and upstream (lost customers). Firms without purchases are not hit downstream; firms without
        sales are not hit upstream (beyond their own ψ).

    Notes
    -----
    Start hd = hu = 1 − ψ. Synchronous updates (every firm from the previous step's values):
    Λd[i, j] = W[i, j] / (j's purchases from sector p(i)) where E[p(i), p(j)] = 2, W[i, j] / (j's total
    purchases) where it is 1, 0 where 0; π[j, k] = 1 − Σ_{i∈k} Λd[i, j](1 − hd[i]);
    hd[j] ← max(0, min(min_{essential k} π[j, k], 1 − Σ_{non-essential k}(1 − π[j, k]), 1 − ψ[j]));
    Λu[i, j] = W[i, j] / (i's total sales); hu[i] ← max(0, min(1 − ψ[i], 1 − Σ_j Λu[i, j](1 − hu[j]))).
    Memory: the prepared matrices hold about three floats and three int32 per edge
    (:attr:`CascadeNetwork.nbytes`); each scenario column needs 8 × (essential pairs + 12 n) bytes of
    work arrays (:meth:`CascadeNetwork.work_bytes_per_scenario`).
    """
    network = prepare_network(W, sectors, essentiality, market=market)
    return run_cascade(network, psi, eps, max_iter=max_iter)


def _scenario_columns(psi, n: int, scenario_labels):
    """(number of scenarios, function giving dense columns [a, b) in original order, index)."""
    if psi is None:
        def block(a, b):
            out = np.zeros((n, b - a))
            out[np.arange(a, b), np.arange(b - a)] = 1.0
            return out
        return n, block, pd.Index(range(n) if scenario_labels is None else scenario_labels, name="scenario")
    labels = None
    if isinstance(psi, pd.Series):
        psi = psi.to_frame()
    if isinstance(psi, pd.DataFrame):
        labels, psi = psi.columns, psi.to_numpy(dtype=np.float64)
    if sp.issparse(psi):
        matrix = sp.csc_matrix(psi, dtype=np.float64)
        if matrix.shape[0] != n:
            raise ValueError(f"psi must have n={n} rows, got shape {matrix.shape}")
        data = matrix.data
        if not np.all(np.isfinite(data)) or (data < 0).any() or (data > 1).any():
            raise ValueError("psi (initial shocks) must be between 0 and 1")
        def block(a, b):
            return matrix[:, a:b].toarray()
        count = matrix.shape[1]
    else:
        values = _check_psi(psi, n)
        def block(a, b):
            return values[:, a:b]
        count = values.shape[1]
    if scenario_labels is not None:
        labels = scenario_labels
    index = pd.Index(range(count) if labels is None else list(labels), name="scenario")
    if len(index) != count:
        raise ValueError(f"scenario_labels has {len(index)} labels for {count} scenarios")
    return count, block, index


def _weights(network: CascadeNetwork, weights) -> np.ndarray:
    w = network.out_strength if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != (network.n,):
        raise ValueError(f"weights must have one value per firm ({network.n}), got shape {np.shape(weights)}")
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return w / w.sum()


def esri(W, sectors: Sequence, essentiality: pd.DataFrame, psi=None, weights=None, eps: float = 0.01, *,
         market: Sequence | None = None, batch: int | None = None, max_iter: int = DEFAULT_MAX_ITER,
         scenario_labels: Sequence | None = None) -> pd.DataFrame:
    """Economic Systemic Risk Index of each scenario: ESRI = Σ_j w_j (1 − min(hd_j, hu_j)).

    Parameters
    ----------
    W, sectors, essentiality, eps, market, max_iter
        As for :func:`cascade` (``W`` may also be a :class:`CascadeNetwork` from :func:`prepare_network`,
        then ``sectors``, ``essentiality`` and ``market`` are ignored).
    psi
        None (default): every firm fails alone (ψ = identity, scenario = firm index); else (n, scenarios)
        shocks as a numpy array, a scipy.sparse matrix (kept sparse, densified batch by batch) or a
        DataFrame (its columns label the scenarios).
    weights
        Length-n firm weights w, normalised to sum 1; default the out-strength (total sales).
    batch
        Scenarios run together (columns of one sparse product); default from a 1 GiB work budget.
    scenario_labels
        Optional labels of the scenarios (index of the result).

    Returns
    -------
    DataFrame indexed by scenario with columns ``esri`` (with min(hd, hu)), ``esri_down`` (hd only) and
    ``esri_up`` (hu only), each in [0, 1].
    """
    network = W if isinstance(W, CascadeNetwork) else prepare_network(W, sectors, essentiality, market=market)
    w = _weights(network, weights)[network.order]
    count, block, index = _scenario_columns(psi, network.n, scenario_labels)
    if batch is None:
        batch = max(1, min(256, DEFAULT_BATCH_BYTES // max(1, network.work_bytes_per_scenario())))
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    out = np.zeros((count, 3))
    for start in range(0, count, batch):
        stop = min(count, start + batch)
        shock = _check_psi(block(start, stop), network.n)
        internal = np.ascontiguousarray(shock[network.order])
        loss_down, loss_up, _ = _iterate(network, internal, float(eps), int(max_iter))
        out[start:stop, 0] = w @ np.maximum(loss_down, loss_up)
        out[start:stop, 1] = w @ loss_down
        out[start:stop, 2] = w @ loss_up
    return pd.DataFrame(np.clip(out, 0.0, 1.0), index=index, columns=["esri", "esri_down", "esri_up"])
