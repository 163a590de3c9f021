"""Declarations of the provenance and results tables jiqun writes itself."""

from __future__ import annotations

from .model import Column as C
from .model import Table
from .vocab import YEAR

# --------------------------------------------------------------------------- meta
LOADS = Table(
    "loads", "数据加载记录", "meta",
    grain="one successful load of one file into one table",
    description="Provenance of every load: file, checksum, counts, vintage and user.",
    columns=(
        C("load_id", "bigint", "加载编号", "sequential id", required=True),
        C("source_file", "text", "源文件", "path of the loaded file", required=True),
        C("sha256", "text", "SHA-256", "checksum of the file's bytes", required=True),
        C("table_name", "text", "目标表", "table loaded", required=True),
        C("file_format", "text", "文件格式", "csv, xlsx or parquet", required=True),
        C("encoding", "text", "编码", "detected text encoding"),
        C("mode", "text", "模式", "upsert, replace_rows, insert, or undo (a row written by `jiqun loads undo`)",
          required=True),
        C("rows_in_file", "bigint", "文件行数", "data rows in the file", required=True),
        C("rows_inserted", "bigint", "新增行数", "new keys", required=True),
        C("rows_updated", "bigint", "更新行数", "existing keys with changed values (undo: rows restored)",
          required=True),
        C("rows_unchanged", "bigint", "未变行数", "existing keys with identical values", required=True),
        C("rows_rejected", "bigint", "拒绝行数", "rows sent to quarantine", required=True),
        C("loaded_at", "timestamp", "加载时间", "UTC time of the commit", required=True),
        C("vintage", "text", "数据版本", "data vintage the user declared (e.g. 2023 yearbook)"),
        C("user_name", "text", "用户", "who loaded"),
        C("jiqun_version", "text", "程序版本", "jiqun version", required=True),
        C("undoes_load_id", "bigint", "撤销的加载", "for an undo (mode undo): the load it reverted; a load is "
          "undone when a later row names it here"),
    ),
    primary_key=("load_id",),
)

LOAD_CHANGES = Table(
    "load_changes", "变更历史", "meta",
    grain="one inserted row, or one changed cell of an updated row, of one load",
    description="History of every change a load made, written in the load's transaction: the key of each "
    "inserted row (kind insert) and the old and new value of each changed cell (kind update), so that "
    "`jiqun loads show` can list them and `jiqun loads undo` can restore the store. Values are the text of "
    "the typed value (doubles in their shortest exact form), NULL for a missing value.",
    columns=(
        C("load_id", "bigint", "加载编号", "load that made the change", required=True),
        C("table_name", "text", "目标表", "table changed", required=True),
        C("row_key", "text", "行键", "primary key of the row as JSON, e.g. {\"uscc\":\"9132…\",\"year\":2023}",
          required=True),
        C("kind", "text", "类型", "insert (a new row) or update (a changed cell)", required=True),
        C("column_name", "text", "列", "changed column (NULL for an insert)"),
        C("old_value", "text", "原值", "value before the load (NULL: missing)"),
        C("new_value", "text", "新值", "value the load wrote (NULL: missing)"),
    ),
    primary_key=("load_id", "row_key", "column_name"),
)

FIRM_KEYS = Table(
    "firm_keys", "企业内部键", "meta",
    grain="one unified social credit code seen in a loaded column with a firm key",
    description="jiqun's integer key of every USCC in a column that carries one (`transactions.seller_key`, "
    "`buyer_key`), assigned once, in order of first load, and never changed.",
    columns=(
        C("uscc", "text", "统一社会信用代码", "the code", required=True),
        C("firm_key", "bigint", "内部键", "its integer key (1, 2, 3 …)", required=True),
    ),
    primary_key=("uscc",),
)

QUARANTINE = Table(
    "quarantine", "隔离记录", "meta",
    grain="one rejected row of one load",
    description="Rows refused by a --quarantine load, with their reasons.",
    columns=(
        C("load_id", "bigint", "加载编号", "load", required=True),
        C("table_name", "text", "目标表", "table", required=True),
        C("source_file", "text", "源文件", "file", required=True),
        C("row_number", "bigint", "行号", "row in the file (header = 1)", required=True),
        C("record", "text", "原始记录", "the row as JSON", required=True),
        C("rules", "text", "违反规则", "rules broken, ;-separated", required=True),
        C("messages", "text", "错误说明", "messages, ;-separated", required=True),
    ),
    primary_key=("load_id", "row_number"),
)

# --------------------------------------------------------------------------- results
INDICATOR_RESULTS = Table(
    "indicator_results", "监测指标结果", "result",
    grain="one indicator for one cluster in one region and year",
    description="Long results table of the monitoring indicators, with the firm count and the largest "
    "firm's share behind every value (for disclosure control) and the data vintage.",
    columns=(
        C("cluster_id", "text", "集群编号", "cluster ('all' for whole-economy values)", required=True),
        C("region_code", "text", "地区代码", "GB/T 2260 code: province, city or county", required=True),
        C("year", "integer", "年份", "calendar year", required=True, **YEAR),
        C("indicator", "text", "指标", "indicator id from the indicator catalogue", required=True),
        C("value", "double", "数值", "indicator value in the indicator's unit"),
        C("n_firms", "bigint", "企业数", "firms behind the value", min=0),
        C("top_firm_share", "double", "最大企业占比", "largest firm's share of the value's base", min=0, max=1),
        C("vintage", "text", "数据版本", "data vintage (loads behind the value)"),
        C("computed_at", "timestamp", "计算时间", "UTC time of the computation", required=True),
    ),
    primary_key=("cluster_id", "region_code", "year", "indicator"),
)

EVALUATION_SCHEMES = Table(
    "evaluation_schemes", "评价方案", "result",
    grain="one evaluation scheme, identified by its hash",
    description="The exact text of every scheme a stored evaluation used, so a published ranking can be "
    "reproduced.",
    columns=(
        C("scheme_sha256", "text", "方案哈希", "SHA-256 of the scheme's canonical form", required=True),
        C("name", "text", "方案名称", "scheme name", required=True),
        C("scheme_text", "text", "方案文本", "the scheme as written (YAML)", required=True),
        C("stored_at", "timestamp", "保存时间", "UTC time first stored", required=True),
    ),
    primary_key=("scheme_sha256",),
)

EVALUATION_RESULTS = Table(
    "evaluation_results", "评价结果", "result",
    grain="one cluster (or cluster in one city) evaluated with one scheme for one year",
    description="Scores, ranks, types (引领型/突破型/赶超型), rank uncertainty and explanations, with the "
    "scheme hash and the data vintage.",
    columns=(
        C("scheme_sha256", "text", "方案哈希", "scheme used", required=True),
        C("year", "integer", "年份", "evaluated year", required=True, **YEAR),
        C("cluster_id", "text", "集群编号", "cluster", required=True),
        C("region_code", "text", "地区代码", "320000 for the province or a city code", required=True),
        C("score", "double", "综合得分", "total score", required=True),
        C("rank", "integer", "排名", "rank (1 = best)", required=True),
        C("type", "text", "类型", "leading, breakthrough or catch_up", required=True),
        C("dimension_scores", "text", "维度得分", "dimension scores as JSON"),
        C("rank_p05", "integer", "排名下限", "5th percentile of the Monte Carlo rank"),
        C("rank_p95", "integer", "排名上限", "95th percentile of the Monte Carlo rank"),
        C("type_probability", "text", "类型概率", "Monte Carlo probability of each type, JSON"),
        C("weakest_dimension", "text", "短板维度", "lowest-scoring dimension"),
        C("explanation_zh", "text", "中文说明", "generated explanation (Chinese)"),
        C("explanation_en", "text", "英文说明", "generated explanation (English)"),
        C("vintage", "text", "数据版本", "data vintage behind the indicator values"),
        C("computed_at", "timestamp", "计算时间", "UTC time of the evaluation", required=True),
    ),
    primary_key=("scheme_sha256", "year", "cluster_id", "region_code"),
)
