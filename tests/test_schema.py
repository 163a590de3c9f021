"""The data model is declared once; DDL and docs are derived from it and kept in step."""

from pathlib import Path

import duckdb
import pytest

from jiqun.cli import app
from jiqun.cli.base import CLI_NOTES
from jiqun.docs import LIBRARY_PAGES, cli_commands, generated_pages, write_docs
from jiqun.schema import CODE_LISTS, TABLES, create_table_sql, get_table
from jiqun.schema.model import Column, Table
from jiqun.settings import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_required_tables_declared():
    required = {
        "regions", "industries", "clusters", "chain_nodes", "chain_links", "firms", "firm_years",
        "firm_chain_nodes", "transactions", "trade", "patents", "trademarks", "regional_employment",
        "organizations", "organization_years", "policies", "talent_moves", "loads",
    }
    assert required <= set(TABLES)


def test_firms_contract():
    firms = get_table("firms")
    assert firms.primary_key == ("uscc",)
    for name in ("uscc", "name", "region_code", "industry_code"):
        assert firms.column(name).required
    assert firms.column("uscc").uscc
    assert firms.column("region_code").codelist == "region"
    assert firms.column("industry_code").codelist == "industry"


@pytest.mark.parametrize("table", list(TABLES.values()), ids=list(TABLES))
def test_every_table_is_fully_declared(table: Table):
    assert table.zh and table.grain and table.description
    assert table.primary_key, f"{table.name} needs a primary key"
    for col in table.columns:
        assert col.name == col.name.lower() and " " not in col.name, "English names are snake_case"
        assert col.zh and col.description
        if col.unit == "yuan":
            assert col.name.endswith("_yuan"), "money columns say their unit in the name"
    for fk in table.foreign_keys:
        ref = TABLES[fk.ref_table]
        assert set(fk.ref_columns) <= set(ref.column_names)


@pytest.mark.parametrize("table", list(TABLES.values()), ids=list(TABLES))
def test_ddl_creates_declared_columns(table: Table):
    db = duckdb.connect()
    db.execute(create_table_sql(table))
    cols = db.execute(f"DESCRIBE {table.name}").fetchall()
    assert [c[0] for c in cols] == table.column_names
    assert [c[1] for c in cols] == [c.storage_type for c in table.columns]
    not_null = {c[0] for c in cols if c[2] == "NO"}
    assert not_null == {c.name for c in table.columns if c.required}


def test_invalid_declarations_are_refused():
    with pytest.raises(ValueError):
        Column("x", "decimal", "x", "x")
    with pytest.raises(ValueError):
        Column("x", "text", "x", "x", codelist="postcode")
    col = Column("x", "text", "x", "x")
    with pytest.raises(ValueError):
        Table("t", "t", "fact", "g", "d", (col, col))
    with pytest.raises(ValueError):
        Table("t", "t", "fact", "g", "d", (col,), primary_key=("y",))
    with pytest.raises(ValueError, match="sort column y"):
        Table("t", "t", "fact", "g", "d", (col,), sort_by=("y",))
    with pytest.raises(KeyError, match="known tables"):
        get_table("nope")


def test_codelists_documented():
    used = {c.codelist for t in TABLES.values() for c in t.columns if c.codelist}
    assert used <= set(CODE_LISTS)


GENERATED = generated_pages(app, CLI_NOTES)


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_docs_are_current(name):
    """docs/*.md generated pages must match the declarations (run `jiqun docs` to refresh)."""
    assert (DOCS / name).read_text(encoding="utf-8") == GENERATED[name](), f"run `jiqun docs` ({name})"


def test_cli_reference_comes_from_the_app_passed_in(tmp_path):
    """The library renders the CLI reference of the app it is given and imports no CLI of its own."""
    import typer

    other = typer.Typer()

    @other.command()
    def hello(loud: bool = typer.Option(False, "--loud", help="Shout.")) -> None:
        """Say hello."""

    written = {path.name for path in write_docs(tmp_path, cli_app=other, cli_notes="NOTES")}
    assert written == set(LIBRARY_PAGES) | {"cli.md"}
    page = (tmp_path / "cli.md").read_text(encoding="utf-8")
    assert "NOTES" in page and "## `jiqun hello`" in page and "| `--loud` | Shout. |" in page
    assert "jiqun ingest" not in page
    assert {path.name for path in write_docs(tmp_path / "library")} == set(LIBRARY_PAGES)


def test_every_setting_and_command_documented():
    settings_doc = (DOCS / "settings.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"`{s.env}`" in settings_doc
    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    for name, help_text, params in cli_commands(app):
        assert f"`jiqun {name}`" in cli_doc
        assert help_text, f"command {name} has no help"
        for flags, text in params:
            assert text, f"option {flags} of {name} has no help"
    assert "jiqun demo" in readme and "pytest" in readme
