"""The parity suite: the same tests on every backend (a package, so its conftest is `parity.conftest`)."""
