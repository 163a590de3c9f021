"""``jiqun serve`` in a child process (for scripts, tests and benchmarks that need a real server)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class ServerProcess:
    """A context manager running ``jiqun serve --db DB`` on a free port until the block ends.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:PORT`` once the server answers ``/api/health``.
    """

    def __init__(self, db: Path, host: str = "127.0.0.1", start_timeout: float = 30.0):
        self.db, self.host, self.start_timeout = Path(db), host, start_timeout
        self.url = ""
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "ServerProcess":
        port = free_port(self.host)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "jiqun.cli", "serve", "--db", str(self.db), "--host", self.host, "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.url = f"http://{self.host}:{port}"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=5) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"jiqun serve --db {self.db} did not start: {self.output()}")

    def output(self) -> str:
        """What the server printed (after it stopped)."""
        if self._process is None or self._process.poll() is None or self._process.stdout is None:
            return ""
        return self._process.stdout.read()

    def __exit__(self, *exc) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)
