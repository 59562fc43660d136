"""`callcenter serve` as a user runs it: a subprocess, /health, SIGTERM, and one-line start-up errors."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env.update(CALLCENTER_DATA_DIR=str(tmp_path / "data"), CALLCENTER_FLOWS_DIR=str(REPO / "ivr_flows"),
               CALLCENTER_SPEECH__ENABLED="false", CALLCENTER_PROMPTS__DIR=str(tmp_path / "prompts"),
               CALLCENTER_RECORDINGS__DIR=str(tmp_path / "recordings"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def get_json(url: str, timeout: float = 5) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, json.loads(r.read())


class Server:
    def __init__(self, tmp_path: Path, *args: str, **env: str) -> None:
        self.port, self.agi_port = free_port(), free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "callcenter", "serve", "--port", str(self.port), "--agi-port",
             str(self.agi_port), *args], cwd=tmp_path, env=base_env(tmp_path, **env),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.err_lines: list[str] = []        # read continuously: a full pipe would block the server
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.err_lines.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.err_lines)

    def wait_health(self, timeout: float = 120, until=lambda h: True) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._reader.join(5)
                raise AssertionError(f"server exited {self.proc.returncode}: {self.stderr}")
            try:
                status, last = get_json(self.url + "/health", timeout=2)
                assert status == 200
                if until(last):
                    return last
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise AssertionError(f"no healthy answer within {timeout}s; last: {last}; log:\n{self.stderr[-4000:]}")

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._reader.join(5)
            raise AssertionError(f"server did not stop within {timeout}s after {sig!r}:\n{self.stderr[-3000:]}")
        self._reader.join(5)
        self.proc.stdout.close()
        return self.proc.returncode, self.stderr


def run_cli(tmp_path: Path, *args: str, timeout: float = 180, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callcenter", *args], cwd=tmp_path, env=base_env(tmp_path, **env),
                          capture_output=True, text=True, timeout=timeout)


def one_error_line(stderr: str) -> str:
    """The single 'callcenter: ...' line; no traceback anywhere."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("callcenter:")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_first_run_health_version_and_sigterm(tmp_path):
    assert not (tmp_path / "data").exists()
    srv = Server(tmp_path)
    try:
        health = srv.wait_health(until=lambda h: h["components"].get("engine", {}).get("state", "ok") == "ok")
        assert health["status"] in ("ok", "degraded")
        assert health["components"]["database"]["state"] == "ok"
        assert health["components"]["http"]["state"] == "ok"
        status, version = get_json(srv.url + "/version")
        assert status == 200 and version["name"] == "callcenter" and version["schema"]
        assert (tmp_path / "data" / "callcenter.db").exists()       # data dir created on the first run
    finally:
        rc, err = srv.stop()
    assert rc == 0, err
    assert "Traceback" not in err
    assert '"stopped"' in err and "first run: demo data loaded" in err
    # the demo data was loaded once and is there for the CLI
    out = run_cli(tmp_path, "agent", "list")
    assert out.returncode == 0 and "alice" in out.stdout and "li_wei" in out.stdout
    # second start: data kept, demo not re-imported
    srv = Server(tmp_path)
    try:
        srv.wait_health()
    finally:
        rc, err = srv.stop(signal.SIGINT)
    assert rc == 0 and "first run" not in err


def test_unreachable_asterisk_is_degraded_but_serving(tmp_path):
    dead = free_port()
    srv = Server(tmp_path, CALLCENTER_AMI=f"cc:topsecret@127.0.0.1:{dead}")
    try:
        health = srv.wait_health()
        assert health["status"] == "degraded"
        assert "asterisk" in health.get("problems", [])
        time.sleep(0.5)
        assert get_json(srv.url + "/health")[0] == 200
    finally:
        rc, err = srv.stop()
    assert rc == 0
    assert "topsecret" not in err


def test_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        out = run_cli(tmp_path, "serve", "--port", str(port), "--agi-port", str(free_port()))
    assert out.returncode == 1
    line = one_error_line(out.stderr)
    assert f"127.0.0.1:{port}" in line and "address already in use" in line


def test_unreachable_database_is_one_clear_line(tmp_path):
    out = run_cli(tmp_path, "serve", "--port", str(free_port()), "--agi-port", str(free_port()),
                  "--database-url", f"postgresql://cc:hunter2@127.0.0.1:{free_port()}/callcenter")
    assert out.returncode == 1
    line = one_error_line(out.stderr)
    assert "cannot open database" in line and "refused" in line
    assert "hunter2" not in out.stderr


def test_bad_config_file_is_one_clear_line(tmp_path):
    (tmp_path / "callcenter.yaml").write_text("http:\n  port: 8080\n  bind: 0.0.0.0\n")
    out = run_cli(tmp_path, "serve")
    assert out.returncode == 2
    line = one_error_line(out.stderr)
    assert "callcenter.yaml:3" in line and "unknown key 'http.bind'" in line


@pytest.mark.parametrize("text,expect", [
    ("http: [1, 2\n", "not valid YAML"),
    ("log:\n  level: 5\n", "log.level"),
])
def test_config_errors_via_env_file(tmp_path, text, expect):
    cfg = tmp_path / "elsewhere.yaml"
    cfg.write_text(text)
    out = run_cli(tmp_path, "serve", CALLCENTER_CONFIG=str(cfg))
    assert out.returncode == 2
    line = one_error_line(out.stderr)
    assert "elsewhere.yaml:" in line and expect in line


def test_agi_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        out = run_cli(tmp_path, "serve", "--port", str(free_port()), "--agi-port", str(port))
    assert out.returncode == 1
    line = one_error_line(out.stderr)
    assert f"127.0.0.1:{port}" in line and "address already in use" in line
