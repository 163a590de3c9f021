"""Shared fixtures: a store with the shipped catalogue, valid USCCs, the shared reference data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import jiqun
from jiqun.codes import uscc_check_character

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory) -> Path:
    """A store created once per session (catalogue loaded), copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.duckdb"
    con = jiqun.connect(path)
    con.disconnect()
    return path


@pytest.fixture
def store_path(_template_store, tmp_path) -> Path:
    """Path of a fresh store (copy of the template) for one test."""
    path = tmp_path / "jiqun.duckdb"
    shutil.copy(_template_store, path)
    return path


@pytest.fixture
def store(store_path):
    """An open ibis connection to a fresh store with the shipped catalogue."""
    con = jiqun.connect(store_path)
    yield con
    con.disconnect()


def make_uscc_fn(serial: int, region: str = "320200") -> str:
    """A valid 18-character unified social credit code for ``serial``."""
    body = f"91{region}MA{serial:07d}"[:17]
    return body + uscc_check_character(body)


@pytest.fixture
def make_uscc():
    """Return f(serial, region='320200') -> a valid 18-character unified social credit code."""
    return make_uscc_fn


@pytest.fixture
def shared_reference() -> Path:
    """../shared/data/reference, or skip when the shared folder is absent (a user's clone)."""
    path = SHARED / "data" / "reference"
    if not path.exists():
        pytest.skip("../shared/data/reference is not available")
    return path
