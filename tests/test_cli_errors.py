"""Every command, given bad arguments, exits non-zero with one error line and no traceback, and never
creates or changes the file given as --db."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jiqun.cli import app

runner = CliRunner()

#: Values no command accepts, by option or argument name.
BAD_VALUES = {
    "--format": "nope", "--cluster": "no_such_cluster", "--region": "no_such_region", "--year": "2030",
    "--encoding": "latin9x", "--mode": "nope", "--scale": "huge", "--level": "planet", "--parent": "atlantis",
    "--table": "no_such_table", "--seed": "abc", "--draws": "abc", "--sheet": "no_such_sheet",
    "table": "no_such_table", "name": "no_such_table",
}
OUTPUT_PATHS = {"out", "report", "record_path"}


def _commands(group, prefix=()):
    """(argv prefix, click command) of every registered command, sub-apps included."""
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if hasattr(command, "commands"):
            if getattr(command, "invoke_without_command", False):
                yield path, command
            yield from _commands(command, path)
        else:
            yield path, command


COMMANDS = list(_commands(typer.main.get_command(app)))


def _option_name(param) -> str:
    return param.opts[0] if param.param_type_name == "option" else param.name


def _filler(param, files) -> list[str]:
    """A plausible value for a required parameter (so that the bad one is what fails)."""
    kind = param.bare_type()
    if kind == "Path":
        value = str(files["good_csv"])
    elif kind == "int":
        value = "1"
    else:
        value = "firms" if "table" in param.name else "x"
    return [value] if param.param_type_name == "argument" else [param.opts[0], value]


def _scenarios(command, files, store):
    """(label, argv) pairs of bad invocations of one command."""
    params = {p.name: p for p in command.params}
    required = [p for p in command.params if p.required]

    def argv(**override):
        args = []
        for param in required:
            args += override.pop(param.name) if param.name in override else _filler(param, files)
        for name, value in override.items():
            param = params[name]
            args += value if param.param_type_name == "argument" else [param.opts[0], *value]
        return args

    if "db" in params:
        for label in ("csv", "xlsx", "folder", "missing_csv", "missing_xlsx", "empty_duckdb"):
            yield f"--db {label}", argv(db=[str(files[label])])
    with_store = {"db": [str(store)]} if "db" in params else {}
    for name, param in params.items():
        kind = param.bare_type()
        if kind == "Path" and name in OUTPUT_PATHS:
            yield f"{name} under a file", argv(**with_store, **{name: [str(files["good_csv"] / "out.x")]})
        elif kind == "Path":
            for label in ("missing_csv", "folder"):
                yield f"{name} {label}", argv(**with_store, **{name: [str(files[label])]})
        bad = BAD_VALUES.get(_option_name(param))
        if bad is not None and kind != "bool":
            yield f"{name} {bad}", argv(**with_store, **{name: [bad]})


def _fingerprint(folder: Path) -> dict:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
            for p in sorted(folder.iterdir())}


@pytest.fixture
def bad_files(tmp_path, make_uscc):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a_folder").mkdir()
    files = {
        "good_csv": folder / "firms.csv", "csv": folder / "data.csv", "xlsx": folder / "book.xlsx",
        "folder": folder / "a_folder", "missing_csv": folder / "missing.csv", "missing_xlsx": folder / "gone.xlsx",
        "empty_duckdb": folder / "empty.duckdb",
    }
    files["good_csv"].write_text("统一社会信用代码,企业名称,行政区划代码,行业代码\n"
                                 f"{make_uscc(1)},甲,320281,3983\n", encoding="utf-8")
    files["csv"].write_text("uscc,year\n1,2023\n", encoding="utf-8")
    files["xlsx"].write_bytes(b"PK\x03\x04" + b"\0" * 200)
    files["empty_duckdb"].write_bytes(b"")
    return files


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_refuses_bad_arguments_in_one_line(path, command, bad_files, store_path, tmp_path,
                                                         monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("JIQUN_DB", raising=False)
    monkeypatch.setenv("JIQUN_DEMO_OUT", str(tmp_path / "demo-out"))
    folder = bad_files["good_csv"].parent
    before = _fingerprint(folder)
    scenarios = list(_scenarios(command, bad_files, store_path))
    if not scenarios:
        pytest.skip(f"jiqun {' '.join(path)} takes no argument that can be wrong")
    for label, args in scenarios:
        result = runner.invoke(app, [*path, *args], env={"COLUMNS": "100"})
        where = f"jiqun {' '.join(path)} ({label}): {' '.join(args)}\n{result.output}"
        assert result.exit_code != 0, where
        assert result.exception is None or isinstance(result.exception, SystemExit), where
        assert "Traceback" not in result.output, where
        errors = [line for line in result.output.splitlines() if line.lstrip().startswith("error:")]
        assert len(errors) == 1 or (not errors and "refused 拒绝加载" in result.output), where
        assert _fingerprint(folder) == before, where
        assert not bad_files["missing_csv"].exists() and not bad_files["missing_xlsx"].exists(), where
        assert not list(cwd.glob("*.duckdb")), where


def test_the_command_list_is_complete():
    names = {p[0] for p, _ in COMMANDS}
    assert {"init", "ingest", "tables", "indicators", "alerts", "evaluate", "demo", "clusters", "regions"} <= names


def test_non_store_db_is_named_with_what_it_looks_like(bad_files):
    result = runner.invoke(app, ["loads", "--db", str(bad_files["xlsx"])])
    assert result.exit_code == 1 and "Excel workbook" in result.output and "not a jiqun store" in result.output
    result = runner.invoke(app, ["init", "--db", str(bad_files["missing_csv"])])
    assert result.exit_code == 1 and "ending in .duckdb" in result.output
    assert not bad_files["missing_csv"].exists()


def test_ingest_folder_missing_file_and_unknown_encoding_do_not_create_the_store(bad_files, tmp_path):
    db = tmp_path / "new.duckdb"
    for args, words in [
        ([str(bad_files["folder"]), "--table", "firms"], "is a folder, not a file"),
        ([str(bad_files["missing_csv"]), "--table", "firms"], "no such file"),
        ([str(bad_files["good_csv"]), "--table", "firms", "--encoding", "latin9x"], "unknown encoding 'latin9x'"),
    ]:
        result = runner.invoke(app, ["ingest", *args, "--db", str(db)])
        assert result.exit_code == 2 and words in result.output, result.output
        assert not db.exists()


def test_locked_store_names_the_process_holding_it(store_path, monkeypatch):
    monkeypatch.setenv("JIQUN_LOCK_WAIT", "0.5")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(store_path)!r}); print('ok', flush=True); "
                               "time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = runner.invoke(app, ["loads", "--db", str(store_path)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"PID {holder.pid}" in errors[0] and "python" in errors[0], result.output
    assert "wait for that program to finish" in errors[0] and "waited 0.5 s" in errors[0]


def test_unexpected_error_is_one_line_with_a_log_and_debug_shows_it(monkeypatch, tmp_path):
    import jiqun.cli.names

    def broken(con=None):
        raise RuntimeError("something internal broke")

    monkeypatch.setattr(jiqun.cli.names, "list_clusters", broken)
    monkeypatch.setenv("JIQUN_TEMP_DIR", str(tmp_path))
    monkeypatch.delenv("JIQUN_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["clusters"])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "unexpected RuntimeError: something internal broke" in errors[0]
    assert "please report this" in errors[0] and "--debug" in errors[0]
    logs = list(tmp_path.glob("jiqun-error-*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text(encoding="utf-8")
    assert str(logs[0]) in errors[0]
    result = runner.invoke(app, ["--debug", "clusters"])
    assert isinstance(result.exception, RuntimeError)
    result = runner.invoke(app, ["clusters"], env={"JIQUN_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError)


def test_usage_errors_are_one_line():
    result = runner.invoke(app, ["indicators", "--year", "abc"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "--year" in errors[0] and "jiqun indicators --help" in errors[0]
    for args in (["no-such-command"], ["--bogus"], ["ingest", "x.csv"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and result.output.startswith("error:"), result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


# --------------------------------------------------------------------------- the demo store
def test_commands_find_the_demo_store_and_never_create_an_empty_one(store_path, tmp_path, monkeypatch):
    tmp_path = tmp_path / "cwd"  # (store_path is tmp_path / jiqun.duckdb)
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIQUN_DB", raising=False)
    monkeypatch.delenv("JIQUN_DEMO_OUT", raising=False)
    result = runner.invoke(app, ["loads"])
    assert result.exit_code == 1 and "no store at jiqun.duckdb" in result.output
    for command in (["tables"], ["clusters"], ["indicators"], ["evaluate"], ["alerts"], ["indicators", "--save"]):
        runner.invoke(app, command)
        assert not (tmp_path / "jiqun.duckdb").exists(), command
    demo_store = tmp_path / "jiqun-demo" / "jiqun.duckdb"
    demo_store.parent.mkdir()
    shutil.copy(store_path, demo_store)
    result = runner.invoke(app, ["loads"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"using the demo store {Path('jiqun-demo') / 'jiqun.duckdb'}" in result.output
    assert "regions" in result.output  # the catalogue loads are listed
    result = runner.invoke(app, ["tables"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "using the demo store" in result.output
    assert not (tmp_path / "jiqun.duckdb").exists()
    # ./jiqun.duckdb, once it exists, wins; JIQUN_DB too
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0 and (tmp_path / "jiqun.duckdb").exists()
    result = runner.invoke(app, ["loads"])
    assert result.exit_code == 0 and "using the demo store" not in result.output


def test_ingest_never_loads_into_the_demo_store(store_path, tmp_path, monkeypatch, bad_files):
    tmp_path = tmp_path / "cwd"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIQUN_DB", raising=False)
    monkeypatch.delenv("JIQUN_DEMO_OUT", raising=False)
    demo_store = tmp_path / "jiqun-demo" / "jiqun.duckdb"
    demo_store.parent.mkdir()
    shutil.copy(store_path, demo_store)
    before = hashlib.sha256(demo_store.read_bytes()).hexdigest()
    result = runner.invoke(app, ["ingest", str(bad_files["good_csv"]), "--table", "firms"])
    assert result.exit_code == 0, result.output
    assert "using the demo store" not in result.output and (tmp_path / "jiqun.duckdb").exists()
    assert hashlib.sha256(demo_store.read_bytes()).hexdigest() == before


def test_bad_scheme_and_reference_files_are_one_line(store_path, tmp_path):
    bad_yaml = tmp_path / "scheme.yaml"
    bad_yaml.write_text("dimensions: [a\n  b: {\n", encoding="utf-8")
    not_a_mapping = tmp_path / "reference.yaml"
    not_a_mapping.write_text("just text\n", encoding="utf-8")
    gbk_yaml = tmp_path / "gbk.yaml"
    gbk_yaml.write_bytes("name: 测试方案\n".encode("gbk"))
    for args, words in [(["--scheme", str(bad_yaml)], "not valid YAML"),
                        (["--scheme", str(gbk_yaml)], "is not UTF-8 text"),
                        (["--reference", str(gbk_yaml)], "is not UTF-8 text"),
                        (["--reference", str(not_a_mapping)], "must map indicator ids to values")]:
        result = runner.invoke(app, ["evaluate", "--db", str(store_path), *args])
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert result.exit_code == 2 and len(errors) == 1 and words in errors[0], result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_refused_first_load_leaves_no_store_and_a_bad_sheet_number_is_refused(tmp_path, make_uscc):
    import openpyxl

    book = tmp_path / "firms.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["统一社会信用代码", "企业名称", "行政区划代码", "行业代码"])
    workbook.active.append([make_uscc(1), "甲", "320281", "3983"])
    workbook.save(book)
    db = tmp_path / "new.duckdb"
    result = runner.invoke(app, ["ingest", str(book), "--table", "firms", "--db", str(db), "--sheet", "1"])
    assert result.exit_code == 2 and "no sheet number 1" in result.output and "Traceback" not in result.output
    assert not db.exists() and not Path(str(db) + ".wal").exists()
    result = runner.invoke(app, ["ingest", str(book), "--table", "firms", "--db", str(db), "--sheet", "0"])
    assert result.exit_code == 0 and "1 inserted" in result.output and db.exists()


def test_demo_summary_says_which_store_the_next_commands_use(tmp_path, monkeypatch):
    from jiqun.cli.demo import _next_steps

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIQUN_DB", raising=False)
    monkeypatch.delenv("JIQUN_DEMO_OUT", raising=False)
    assert "they use this store" in _next_steps(Path("jiqun-demo") / "jiqun.duckdb")
    assert "--db /elsewhere/s.duckdb" in _next_steps(Path("/elsewhere/s.duckdb"))
    (tmp_path / "jiqun.duckdb").write_bytes(b"")  # ./jiqun.duckdb would win
    assert "--db jiqun-demo" in _next_steps(Path("jiqun-demo") / "jiqun.duckdb")


@pytest.mark.parametrize("command", ["docs", "demo"])
def test_folder_outputs_refuse_a_file(command, bad_files):
    before = bad_files["csv"].read_bytes()
    result = runner.invoke(app, [command, "--out", str(bad_files["csv"])])
    assert result.exit_code == 2 and "is a file" in result.output and "give a folder name" in result.output
    assert bad_files["csv"].read_bytes() == before


def test_indicators_of_an_empty_store_say_so(store_path, tmp_path):
    out = tmp_path / "i.csv"
    result = runner.invoke(app, ["indicators", "--db", str(store_path), "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0 and "note 提示: no indicators: the store holds no data" in result.output
    assert out.exists()


def test_unreadable_input_file_is_one_line(bad_files, store_path, monkeypatch):
    import jiqun.cli.base

    monkeypatch.setattr(jiqun.cli.base.os, "access", lambda path, mode: False)  # (root reads everything)
    result = runner.invoke(app, ["ingest", str(bad_files["good_csv"]), "-t", "firms", "--db", str(store_path)])
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert result.exit_code == 2 and len(errors) == 1 and str(bad_files["good_csv"]) in errors[0]
    assert "not readable" in errors[0] or "permission denied" in errors[0]
