"""Building blocks of the data model: :class:`Column`, :class:`Table`, :class:`RowRule`.

Every table jiqun stores is declared once with these classes (see
:mod:`jiqun.schema.tables`). The DuckDB DDL, the ingest validation and the
data-model documentation are all derived from that single declaration.

Glossary
--------
grain
    What one row stands for (e.g. "one firm in one year").
primary key
    Columns whose values identify a row; enforced by ingest validation.
code list
    A reference list a column's values must belong to (region, industry, HS,
    IPC, country, cluster, chain node).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Logical column types and the DuckDB type each is stored as.
STORAGE_TYPES = {
    "text": "VARCHAR",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

#: Units a money column may arrive in, with the factor that converts to yuan.
#: Chinese statistics usually arrive in 万元 (10k yuan) or 亿元 (100m yuan).
MONEY_UNITS = {
    "元": 1,
    "yuan": 1,
    "千元": 1_000,
    "1000_yuan": 1_000,
    "k_yuan": 1_000,
    "万元": 10_000,
    "10k_yuan": 10_000,
    "百万元": 1_000_000,
    "m_yuan": 1_000_000,
    "亿元": 100_000_000,
    "100m_yuan": 100_000_000,
}

#: Code lists a column can be checked against, and what each means.
CODE_LISTS = {
    "region": "GB/T 2260 administrative division code present in `regions`",
    "industry": "GB/T 4754-2017 industry code present in `industries`",
    "hs6": "6-digit HS code whose chapter is in `hs_chapters`",
    "ipc": "IPC subclass, main group or symbol (e.g. H01L, H01L 21, H01L 21/02) whose subclass maps to a WIPO technology field",
    "country": "ISO 3166-1 alpha-3 country code present in `countries`",
    "cluster": "cluster id present in `clusters`",
    "chain_node": "chain node id present in `chain_nodes`",
    "organization": "organisation id present in `organizations`",
}


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name : str
        English snake_case name, as stored.
    type : str
        Logical type, a key of :data:`STORAGE_TYPES`.
    zh : str
        Chinese column name (the header analysts use).
    description : str
        What the column holds, in English.
    required : bool
        Whether a value must be present in every row.
    unit : str, optional
        Stored unit (``"yuan"``, ``"persons"``, ``"USD"`` …). Money columns are
        stored in yuan and accept headers in 元/千元/万元/亿元.
    codelist : str, optional
        Key of :data:`CODE_LISTS` the value must belong to.
    multi : bool
        The cell holds several codes separated by ``;`` (each is checked).
    enum : dict, optional
        Allowed values: stored value -> accepted spellings (Chinese and English).
    min, max : float, optional
        Inclusive value range.
    max_length : int, optional
        Longest accepted text.
    pattern : str, optional
        Regular expression the text must match in full.
    uscc : bool
        Value must be a unified social credit code with a valid check character
        (GB 32100-2015).
    not_future : bool
        Dates may not lie after the day of the load.
    aliases : tuple of str
        Further accepted header spellings.
    default : str, optional
        SQL literal used when the column is absent from a file.
    key_of : str, optional
        The column is jiqun's integer firm key (``firm_keys.firm_key``) of the USCC column
        ``key_of``, assigned at load: it is never read from files nor validated, and analyses
        join and group on it instead of the 18-character text.
    """

    name: str
    type: str
    zh: str
    description: str
    required: bool = False
    unit: str | None = None
    codelist: str | None = None
    multi: bool = False
    enum: dict[str, tuple[str, ...]] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    uscc: bool = False
    not_future: bool = False
    aliases: tuple[str, ...] = ()
    default: str | None = None
    key_of: str | None = None

    def __post_init__(self) -> None:
        if self.type not in STORAGE_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")
        if self.codelist is not None and self.codelist not in CODE_LISTS:
            raise ValueError(f"column {self.name}: unknown code list {self.codelist!r}")

    @property
    def storage_type(self) -> str:
        return STORAGE_TYPES[self.type]

    @property
    def is_money(self) -> bool:
        return self.unit == "yuan"


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of this table must match ``ref_columns`` of ``ref_table``.

    ``when`` is an optional SQL condition on the staged row (columns by their
    English names) that restricts the check, e.g. only sellers inside Jiangsu
    must be registered firms.
    """

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    when: str | None = None


@dataclass(frozen=True)
class RowRule:
    """A cross-field rule: ``sql`` must be true (or NULL) for every row.

    ``sql`` refers to the typed columns by their English names.
    """

    name: str
    sql: str
    columns: tuple[str, ...]
    message_en: str
    message_zh: str


@dataclass(frozen=True)
class Table:
    """A table of the store, declared once.

    Parameters
    ----------
    name : str
        Table name in the store.
    zh : str
        Chinese name.
    layer : str
        ``catalogue`` (shipped reference lists), ``fact`` (user data) or
        ``meta`` (provenance, bookkeeping).
    grain : str
        What one row stands for.
    description : str
        Purpose of the table.
    columns : tuple of Column
    primary_key : tuple of str
    foreign_keys : tuple of ForeignKey
    rules : tuple of RowRule
    sort_by : tuple of str
        Physical order of the rows of each load (a clustering key): the loader writes a load's rows
        sorted by these columns, then in file order. It is for speed only (results differ at most by
        floating-point rounding): the rows of a group sit together, so group-bys on these columns
        touch memory in order (transactions by year and seller: see benchmarks/README.md).
    """

    name: str
    zh: str
    layer: str
    grain: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[RowRule, ...] = field(default_factory=tuple)
    sort_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: duplicate column names")
        for col in self.sort_by:
            if col not in names:
                raise ValueError(f"table {self.name}: sort column {col} is not a column")
        for key in self.primary_key:
            if key not in names:
                raise ValueError(f"table {self.name}: primary key {key} is not a column")
        for fk in self.foreign_keys:
            for col in fk.columns:
                if col not in names:
                    raise ValueError(f"table {self.name}: foreign key column {col} unknown")
        for col in self.columns:
            if col.key_of is not None and (col.key_of not in names or not self.column(col.key_of).uscc
                                           or col.required or col.type != "bigint"):
                raise ValueError(f"table {self.name}: {col.name} must be an optional bigint key of a USCC column")

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def input_columns(self) -> tuple[Column, ...]:
        """The columns a file provides (all but the firm keys jiqun assigns, see ``Column.key_of``)."""
        return tuple(c for c in self.columns if c.key_of is None)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        """The firm-key columns jiqun assigns at load (``Column.key_of``)."""
        return tuple(c for c in self.columns if c.key_of is not None)
