"""Serving Tillit as production does (gunicorn) and driving it with a load tool (locust, or a
small asyncio + httpx closed loop when locust is not installed), for bench/quality_pages.py."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import _setup
from _setup import log

PASSWORD = "bench-password-not-secret-1"
CONTROLLER_EMAIL = "bench-controller@tillby.example"
VENV_BIN = Path(_setup.PYTHON).parent
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

# The load generator when locust runs it (written into the work directory, run by `locust -f`).
LOCUSTFILE = r'''
"""Written by bench/quality_pages.py: closed-loop clients that record every request's time."""
import itertools, json, os, time
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

SCENARIO = json.loads(os.environ["BENCH_SCENARIO"])  # {"paths": [[name, path, persona]], "cookies": {...}}
OUT = os.environ["BENCH_OUT"]
RECORDS = []
MARKS = {}
_ids = itertools.count()


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    MARKS["spawned"] = time.time()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None,
            start_time=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    RECORDS.append((start_time or time.time() - response_time / 1000, response_time, status, name))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    MARKS["stopped"] = time.time()
    with open(OUT, "w") as handle:
        json.dump({"marks": MARKS, "records": RECORDS}, handle)


class Client(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.index = next(_ids)
        paths = SCENARIO["paths"]
        self.paths = itertools.cycle(paths[self.index % len(paths):] + paths[:self.index % len(paths)])

    @task
    def page(self):
        name, path, persona = next(self.paths)
        headers = {"X-Forwarded-Proto": "https"}
        if persona:
            cookies = SCENARIO["cookies"][persona]
            headers["Cookie"] = "sessionid=" + cookies[self.index % len(cookies)]
        with self.client.get(path, name=name, headers=headers, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
'''


# --- data -----------------------------------------------------------------------------------


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(workdir: Path) -> dict[str, str]:
    data = _setup.data_dir(workdir)
    env = _setup.environment(workdir)
    for name in ("SECRET_KEY", "TILLIT_PERSONAL_DATA_KEY", "DEBUG"):
        env.pop(name, None)
    env.update({
        "TILLIT_PRODUCTION": "1", "DEBUG": "0",
        "SECRET_KEY_FILE": str(data / "secret_key"),  # the key the sessions and the data were made with
        "TILLIT_PERSONAL_DATA_KEY_FILE": str(data / "personal_data_key"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    })
    return env


class Server:
    """gunicorn config.wsgi with sync workers; stopped (and waited for) on exit, whatever happens."""

    def __init__(self, workdir: Path, workers: int) -> None:
        self.workdir, self.workers = workdir, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / "gunicorn.log"

    def command(self) -> list[str]:
        return [str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--worker-class", "sync", "--timeout", "60",
                "--error-logfile", str(self.log_path), "--log-level", "warning"]

    def __enter__(self) -> Server:
        if not (VENV_BIN / "gunicorn").exists():
            raise SystemExit(f"gunicorn is not installed: {VENV_BIN / 'pip'} install gunicorn")
        self.log_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(self.command(), env=server_environment(self.workdir), cwd=_setup.ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        import httpx

        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/login/", headers=PROXY_HEADERS, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.tail()}")
            time.sleep(0.3)
        log(f"gunicorn answers on {self.url} (master pid {self.process.pid}, workers {self.worker_pids()})")
        return self

    def tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def cpu_seconds(self) -> float:
        """User + system time of the workers (and the master) so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        assert self.process is not None
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn stops its workers gracefully
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        log(f"gunicorn stopped (exit {self.process.returncode})")


# --- logging in ---------------------------------------------------------------------------------


async def _login(client, url: str, email: str) -> str:
    page = await client.get(f"{url}/login/", headers=PROXY_HEADERS)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    csrf = page.cookies.get("csrftoken")
    answer = await client.post(
        f"{url}/login/", data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={**PROXY_HEADERS, "Referer": f"https://127.0.0.1:{url.rsplit(':', 1)[1]}/login/",
                 "Cookie": f"csrftoken={csrf}"})
    session = answer.cookies.get("sessionid")
    if answer.status_code != 302 or not session:
        raise SystemExit(f"login of {email} failed: {answer.status_code} {answer.text[:300]}")
    return session


def login_all(url: str, emails: dict[str, str], users: int) -> dict[str, list[str]]:
    """`users` sessions per persona, each by its own POST /login/ (a fresh client each)."""
    import httpx

    async def run() -> dict[str, list[str]]:
        sessions: dict[str, list[str]] = {}
        for persona, email in emails.items():
            async def one() -> str:
                async with httpx.AsyncClient(timeout=60) as client:
                    return await _login(client, url, email)
            sessions[persona] = list(await asyncio.gather(*(one() for _ in range(users))))
        return sessions

    began = time.perf_counter()
    sessions = asyncio.run(run())
    log(f"logged in {sum(map(len, sessions.values()))} clients in {time.perf_counter() - began:.1f} s")
    return sessions


# --- load -----------------------------------------------------------------------------------------


def have_locust() -> bool:
    return (VENV_BIN / "locust").exists()


def run_locust(url: str, scenario: dict, users: int, seconds: float, workdir: Path) -> dict:
    locustfile = workdir / "bench_quality_locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    out = workdir / "bench_quality_records.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, BENCH_SCENARIO=json.dumps(scenario), BENCH_OUT=str(out))
    command = [str(VENV_BIN / "locust"), "-f", str(locustfile), "--headless", "--host", url,
               "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds:.0f}s",
               "--stop-timeout", "5", "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=seconds + 60)
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    if not out.exists():
        raise SystemExit(f"locust wrote no records (exit {process.returncode}):\n{output[-3000:]}")
    data = json.loads(out.read_text())
    warnings = [line for line in output.splitlines() if "CPU usage" in line]
    return {"marks": data["marks"], "records": [tuple(r) for r in data["records"]], "warnings": warnings}


def run_httpx(url: str, scenario: dict, users: int, seconds: float) -> dict:
    """The fallback: `users` asyncio tasks, one connection each, closed loop without think time."""
    import httpx

    records: list[tuple[float, float, int, str]] = []
    marks: dict[str, float] = {}

    async def client(index: int, stop: float) -> None:
        paths = scenario["paths"]
        order = paths[index % len(paths):] + paths[:index % len(paths)]
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
            n = 0
            while time.time() < stop:
                name, path, persona = order[n % len(order)]
                n += 1
                headers = dict(PROXY_HEADERS)
                if persona:
                    cookies = scenario["cookies"][persona]
                    headers["Cookie"] = "sessionid=" + cookies[index % len(cookies)]
                began = time.time()
                try:
                    response = await http.get(path, headers=headers)
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                records.append((began, (time.time() - began) * 1000, status, name))

    async def run() -> None:
        marks["spawned"] = time.time()
        stop = marks["spawned"] + seconds
        await asyncio.gather(*(client(i, stop) for i in range(users)))
        marks["stopped"] = time.time()

    asyncio.run(run())
    return {"marks": marks, "records": records, "warnings": []}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


