"""``python -m jiqun.cli``."""

from . import app

app()
