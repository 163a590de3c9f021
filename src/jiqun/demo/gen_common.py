"""Shared helpers of the synthetic generator: random streams, codes, names, integer allocation, file sinks.

Everything here is deterministic given the seed: each feature draws from its own
PCG64 stream (so changing the patents code does not shift the firms), and every
writer fixes the metadata that would otherwise carry a timestamp.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..codes import USCC_CHARSET, USCC_WEIGHTS

YEARS = np.arange(2016, 2024)
#: Yuan per US dollar, rounded annual averages (approximate; used only to convert demo trade values).
CNY_PER_USD = {2016: 6.64, 2017: 6.75, 2018: 6.62, 2019: 6.90, 2020: 6.90, 2021: 6.45, 2022: 6.73,
               2023: 7.08}
_ORG_VALUES = {c: (int(c) if c.isdigit() else ord(c) - 55) for c in USCC_CHARSET}  # GB 11714: A=10 … Z=35
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream for one feature of the demo.

    Parameters
    ----------
    seed : int
        The user's seed.
    name : str
        Feature name; hashed into the seed sequence (stable across Python runs).
    """
    key = int.from_bytes(name.encode("utf-8")[:16].ljust(16, b"\0"), "little")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, key & 0xFFFFFFFF, key >> 32 & 0xFFFFFFFF,
                                                                        len(name)])))


def uscc_array(authority: str, regions: np.ndarray, serials: np.ndarray) -> np.ndarray:
    """Valid unified social credit codes (GB 32100-2015), vectorised.

    Layout: registration authority and type (2 chars, e.g. ``91`` = enterprise), the
    6-digit region code, a 9-character organisation code (``MA`` + 6 characters that
    encode a unique serial through a bijective scramble + its GB 11714 check
    character), and the check character of the whole code.

    Parameters
    ----------
    authority : str
        Two characters, e.g. ``"91"`` (enterprise), ``"51"`` (social organisation).
    regions : array of str
        6-digit region codes (digits 3-8 of the code).
    serials : array of int
        Distinct non-negative integers (< 31**6): distinct serials give distinct codes.
    """
    n = len(serials)
    charset = np.array(list(USCC_CHARSET))
    scrambled = (np.asarray(serials, dtype=np.int64) * 7919 + 104729) % 31 ** 6
    digits = np.empty((n, 6), dtype=np.int64)
    for place in range(5, -1, -1):
        digits[:, place] = scrambled % 31
        scrambled //= 31
    body = np.concatenate([np.full((n, 1), USCC_CHARSET.index("M")), np.full((n, 1), USCC_CHARSET.index("A")),
                           digits], axis=1)
    org_vals = np.array([_ORG_VALUES[c] for c in USCC_CHARSET], dtype=np.int64)[body]
    org_check = 11 - (org_vals @ _ORG_WEIGHTS) % 11
    org_check_char = np.where(org_check == 10, USCC_CHARSET.index("X"), np.where(org_check == 11, 0, org_check))
    region_idx = np.array([[USCC_CHARSET.index(ch) for ch in r] for r in np.unique(regions)], dtype=np.int64)
    _, inverse = np.unique(regions, return_inverse=True)
    head = np.array([USCC_CHARSET.index(ch) for ch in authority], dtype=np.int64)
    first17 = np.concatenate([np.broadcast_to(head, (n, 2)), region_idx[inverse], body, org_check_char[:, None]],
                             axis=1)
    check = (31 - (first17 @ np.array(USCC_WEIGHTS)) % 31) % 31
    chars = charset[np.concatenate([first17, check[:, None]], axis=1)]
    return chars.view("<U18").ravel() if n else np.array([], dtype="<U18")


def hex_ids(rng: np.random.Generator, n: int, nbytes: int = 16) -> np.ndarray:
    """``n`` random lower-case hex strings of ``2 * nbytes`` characters (pseudonymous person ids)."""
    raw = rng.integers(0, 256, size=(n, nbytes), dtype=np.uint8)
    table = np.array([f"{i:02x}" for i in range(256)])
    return table[raw].view(f"<U{2 * nbytes}").ravel() if n else np.array([], dtype=f"<U{2 * nbytes}")


def pick(rng: np.random.Generator, options, weights, size) -> np.ndarray:
    """Draw ``size`` items from ``options`` with (unnormalised) ``weights``."""
    weight = np.asarray(weights, dtype=float)
    return np.asarray(options)[rng.choice(len(weight), size=size, p=weight / weight.sum())]


def stratified_uniform(rng: np.random.Generator, group: np.ndarray, key: np.ndarray, block: int = 10) -> np.ndarray:
    """Uniform(0, 1) draws, stratified inside blocks of ``block`` similar members of a group.

    Members of each group are sorted by ``key`` (descending) and cut into blocks of ``block``;
    the m members of a block get one draw from each of the m strata [j/m, (j+1)/m) in random
    order (Latin hypercube sampling). Every draw is still uniform, but a trait drawn by
    comparing the draw with a probability (``u < p``, or an inverse CDF) occurs in each block
    in its expected number up to rounding: the ten largest firms of a small demo's cluster
    hold their expected share of exporters or foreign plants, not whatever one lottery gives.
    """
    group = np.asarray(group)
    n = len(group)
    if n == 0:
        return np.zeros(0)
    order = np.lexsort((-np.asarray(key, dtype=float), group))
    sorted_group = group[order]
    new_group = np.r_[True, sorted_group[1:] != sorted_group[:-1]]
    group_start = np.flatnonzero(new_group)
    position = np.arange(n) - np.repeat(group_start, np.diff(np.r_[group_start, n]))
    block_id = np.empty(n, np.int64)
    block_id[order] = np.cumsum(new_group | (position % block == 0))
    shuffled = np.lexsort((rng.random(n), block_id))
    sorted_block = block_id[shuffled]
    block_start = np.flatnonzero(np.r_[True, sorted_block[1:] != sorted_block[:-1]])
    block_size = np.diff(np.r_[block_start, n])
    stratum = np.arange(n) - np.repeat(block_start, block_size)
    out = np.empty(n)
    out[shuffled] = (stratum + rng.random(n)) / np.repeat(block_size, block_size)
    return out


def weighted_in_groups(rng: np.random.Generator, cum: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                       group: np.ndarray) -> np.ndarray:
    """Sample one member per request, weighted, inside contiguous groups of a sorted array.

    ``cum`` is the inclusive cumulative weight over members sorted by group; members of
    group g occupy ``starts[g]:ends[g]``. Returns member positions (-1 for empty groups).
    """
    low = np.where(starts[group] > 0, cum[np.maximum(starts[group] - 1, 0)], 0.0)
    low = np.where(starts[group] == 0, 0.0, low)
    high = np.where(ends[group] > 0, cum[np.maximum(ends[group] - 1, 0)], 0.0)
    target = low + rng.random(len(group)) * (high - low)
    position = np.searchsorted(cum, target, side="right")
    position = np.clip(position, starts[group], np.maximum(ends[group] - 1, starts[group]))
    return np.where(ends[group] > starts[group], position, -1)


def largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total`` in proportion to ``x`` (Hamilton's largest-remainder method)."""
    quota = np.maximum(x, 0) * total / max(x.sum(), 1e-12)
    base = np.floor(quota).astype(np.int64)
    extra = total - base.sum()
    if extra > 0:
        base[np.argsort(-(quota - base), kind="stable")[:extra]] += 1
    return base


def allocate_in_groups(rng, weight: np.ndarray, group: np.ndarray, total: int) -> np.ndarray:
    """Pick ``total`` members without replacement, each group getting its expected share.

    Controlled rounding (integerisation, as in spatial microsimulation): group ``g`` gets
    ``total x W_g / W`` members rounded by largest remainder (``W_g`` its members' summed
    weights), then members are drawn inside the group with probability ∝ weight. A rare
    status (a handful of little giants in a small demo) thus follows the groups' expected
    counts instead of the luck of one draw. Returns a bool mask.
    """
    chosen = np.zeros(len(weight), bool)
    groups = np.unique(group)
    totals = np.array([weight[group == member_group].sum() for member_group in groups])
    capacity = np.array([int(((group == member_group) & (weight > 0)).sum()) for member_group in groups])
    total = min(total, int(capacity.sum()))
    counts = np.minimum(largest_remainder(totals, total) if total else np.zeros(len(groups), np.int64), capacity)
    for _ in range(len(groups)):  # a group short of members passes its rest to the others
        missing = total - counts.sum()
        if missing <= 0:
            break
        room = capacity - counts
        counts += np.minimum(largest_remainder(np.where(room > 0, totals, 0.0), missing), room)
    for member_group, count in zip(groups, counts):
        members = np.flatnonzero((group == member_group) & (weight > 0))
        if count:
            chosen[rng.choice(members, size=count, replace=False, p=weight[members] / weight[members].sum())] = True
    return chosen


def syllable_names(rng: np.random.Generator, n: int, syllables: str, length: int = 2) -> np.ndarray:
    """``n`` pseudo brand names made of ``length`` syllables (characters) drawn from ``syllables``."""
    chars = np.array(list(syllables))
    drawn = rng.integers(0, len(chars), size=(n, length))
    out = chars[drawn[:, 0]]
    for syllable in range(1, length):
        out = np.char.add(out, chars[drawn[:, syllable]])
    return out


def latin_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` invented Latin-letter brand names (e.g. ``VORANTIX``), for marks and foreign groups."""
    onsets = np.array(["B", "C", "D", "F", "G", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "TR", "BR", "KL"])
    vowels = np.array(["A", "E", "I", "O", "U", "AI", "EO"])
    codas = np.array(["", "N", "R", "X", "S", "L", "TIX", "RON", "VEX"])
    parts = [onsets[rng.integers(0, len(onsets), n)], vowels[rng.integers(0, len(vowels), n)],
             onsets[rng.integers(0, len(onsets), n)], vowels[rng.integers(0, len(vowels), n)],
             codas[rng.integers(0, len(codas), n)]]
    out = parts[0]
    for part in parts[1:]:
        out = np.char.add(out, part)
    return out


def days_in_year(rng: np.random.Generator, years: np.ndarray, latest: dt.date | None = None) -> np.ndarray:
    """A random date inside each given year (as ``datetime64[D]``), never after ``latest``."""
    years = np.asarray(years)
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = np.where((years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0)), 366, 365)
    out = start + (rng.random(len(years)) * length).astype("timedelta64[D]")
    if latest is not None:
        out = np.minimum(out, np.datetime64(latest, "D"))
    return out


# --------------------------------------------------------------------------- sinks
class CsvSink:
    """Stream record batches into one CSV file with given headers and encoding.

    The body is rendered by pyarrow (UTF-8) and re-encoded chunk by chunk for GBK, as
    Chinese statistical offices deliver files.
    """

    def __init__(self, path: Path, headers: list[str], encoding: str = "utf-8"):
        self.path, self.encoding, self.rows = Path(path), encoding, 0
        self._fh = open(self.path, "wb")
        line = ",".join(headers) + "\n"
        self._fh.write(line.encode("utf-8-sig" if encoding == "utf-8-sig" else encoding))
        self._opts = pacsv.WriteOptions(include_header=False)

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, self._opts)
        data = buf.getvalue()
        if self.encoding not in ("utf-8", "utf-8-sig"):
            data = data.decode("utf-8").encode(self.encoding)
        self._fh.write(data)
        self.rows += table.num_rows

    def close(self) -> Path:
        self._fh.close()
        return self.path


class ParquetSink:
    """Stream record batches into one Parquet file (ParquetWriter, fixed schema)."""

    def __init__(self, path: Path, schema: pa.Schema):
        self.path, self.rows = Path(path), 0
        self._writer = pq.ParquetWriter(str(self.path), schema, compression="zstd")
        self.schema = schema

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.cast(self.schema))
            self.rows += table.num_rows

    def close(self) -> Path:
        self._writer.close()
        return self.path


def write_csv(path: Path, table: pa.Table, encoding: str = "utf-8") -> Path:
    """Write a whole (small) table as CSV with its column names as headers."""
    sink = CsvSink(path, table.column_names, encoding)
    sink.write(table)
    return sink.close()


def dates_text(days: np.ndarray) -> pa.Array:
    """ISO date strings (NaT → null) from ``datetime64[D]``."""
    arr = pa.array(days.astype("datetime64[D]"), type=pa.date32(), from_pandas=True)
    return arr.cast(pa.string())
