"""Start an app under uvicorn on a free loopback port for a benchmark, in its own process
group, so that `stop` (called from a `finally`) ends it and any workers whatever happened."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """The CPU time (user + system, all threads) the server's process group has used so far:
    a measure of the work per request that other load on the machine moves far less than a
    rate (Linux /proc; the group is the one `start` made)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[2]) == proc.pid:  # fields[2] is the process group (field 5 of stat)
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / ticks


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    """End the server's whole process group (uvicorn and its workers)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def start(
    env: dict[str, str],
    app: str = "backend.app:create_app",
    factory: bool = True,
    workers: int = 1,
    app_dir: Path = ROOT,
) -> tuple[subprocess.Popen[bytes], str]:
    """`app_dir` is put first on the import path (uvicorn --app-dir): the bare baseline lives
    in scripts/bench, the real app at the project root; the server runs from the root."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    cmd += ["--no-access-log"]
    if factory:
        cmd.append("--factory")
    if workers > 1:
        cmd += ["--workers", str(workers)]
    pythonpath = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={
            **os.environ,
            **env,
            "PYTHONPATH": pythonpath,
            "ORIGINS": f"http://localhost:{port}",
        },
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"{app} exited with {proc.returncode} before answering")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code in (200, 404):
                    return proc, url
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{app} did not answer on {url}")
    except BaseException:
        stop(proc)
        raise
