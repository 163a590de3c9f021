"""Commands of ``jiqun chain`` (registered on :data:`jiqun.cli.chain.chain_app`): map, weak-links."""

from __future__ import annotations

from .chain import chain_app  # noqa: F401
