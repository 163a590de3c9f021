"""The version of jiqun (in the foundation layer, so that every module may name it)."""

__version__ = "0.1.0"
