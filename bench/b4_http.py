"""HTTP benchmarks against gunicorn: 1c/1d (the 10-user-task diagram through the real
server, SQLite and PostgreSQL), 4 (throughput of the registration form at 1/4/16 clients,
PostgreSQL) and 6 (a web process's memory after 10,000 completions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.browser import Browser
from bench.common import ROOT
from bench.common import header
from bench.common import postgres_url
from bench.common import row
from bench.common import sqlite_url
from bench.common import summary
from bench.diagrams import write_linear_set
from bench.http_server import gunicorn
from bench.http_server import logged_in_client
from bench.http_server import prepare
from engine.domain.models import User

TASKS = 10


def _user_id(runner, username="bench") -> int:
    from sqlalchemy import select

    with runner.transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _complete_instances(client: Browser, token: str, runner, actor, count: int) -> list[float]:
    times = []
    for _ in range(count):
        task_id = runner.start("linear10", actor).next_tasks[0].id
        for step in range(TASKS):
            begin = time.perf_counter()
            response = client.post(f"/tareas/{task_id}", {"valor": f"paso {step}", "csrf_token": token})
            times.append((time.perf_counter() - begin) * 1000)
            if response.status != 302:
                raise RuntimeError(f"completion answered {response.status}")
            task_id = response.location.rstrip("/").rsplit("/", 1)[-1]
    return times


def floor_http(url: str, instances: int) -> tuple[dict, dict]:
    """(per completion, per instance: its 10 completions) through gunicorn."""
    workdir = write_linear_set(Path(tempfile.mkdtemp()) / "workflows", TASKS)
    runner = prepare(url, workdir)
    actor = runner.actor_for_user(_user_id(runner))
    with gunicorn(url, workdir, workers=2) as (base, _server):
        client, token = logged_in_client(base)
        _complete_instances(client, token, runner, actor, 10)  # warm-up
        times = _complete_instances(client, token, runner, actor, instances)
    runner.close()
    per_instance = [sum(times[i : i + TASKS]) for i in range(0, len(times), TASKS)]
    return summary(times), summary(per_instance)


def memory(url: str, completions: int) -> dict:
    workdir = write_linear_set(Path(tempfile.mkdtemp()) / "workflows", TASKS)
    runner = prepare(url, workdir)
    actor = runner.actor_for_user(_user_id(runner))
    samples = {}
    with gunicorn(url, workdir, workers=1) as (base, server):
        client, token = logged_in_client(base)
        worker_pid = int(subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()[0])
        done = 0
        for mark in (500, 1000, 2500, 5000, completions):
            _complete_instances(client, token, runner, actor, (mark - done) // TASKS)
            done = mark
            status = Path(f"/proc/{worker_pid}/status").read_text()
            samples[mark] = int(
                next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
            )
    runner.close()
    return {"rss_kb": samples, "growth_after_warmup_kb": samples[completions] - samples[1000]}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(url: str, runs=((1, "per-request"), (4, "per-request"), (16, "per-request")),
               seconds: float = 15.0, mode: str = "entity") -> dict:  # fmt: skip
    """Concurrent browsers working the registration procedures (see bench/load.py), measured
    from a separate load-generator process, against gunicorn as production runs it: one
    process per core (WEB_CONCURRENCY=2) x GUNICORN_THREADS=2 (gunicorn.conf.py)."""
    workdir = Path(tempfile.mkdtemp()) / "workflows"
    workdir.mkdir()
    for path in (ROOT / "workflows").iterdir():
        (workdir / path.name).write_bytes(path.read_bytes())
    (workdir / "forms").mkdir()
    for path in (ROOT / "forms").iterdir():
        (workdir / "forms" / path.name).write_bytes(path.read_bytes())
    most = max(clients for clients, _ in runs)
    prepare(url, workdir, usernames=[f"carga{n}" for n in range(1, most + 1)]).close()
    results = {}
    with gunicorn(url, workdir, workers=2) as (base, server):
        workers = [int(pid) for pid in subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()]

        def load(clients: int, connections: str, duration: float) -> dict:
            return json.loads(subprocess.run(
                [sys.executable, "-m", "bench.load", base, str(clients), str(duration), mode, connections],
                capture_output=True, text=True, check=True, cwd=ROOT,
            ).stdout)  # fmt: skip

        load(4, "per-request", 3)  # warm-up: imports, templates, prepared statements
        for clients, connections in runs:
            before = [_cpu_seconds(pid) for pid in workers]
            result = load(clients, connections, seconds)
            # How the work fell on the two processes (a process uses one core at most).
            result["worker_cpu_seconds"] = [
                round(_cpu_seconds(pid) - start, 2) for pid, start in zip(workers, before, strict=True)
            ]
            results[f"{clients} {connections}"] = result
    return results


def run(quick: bool = False) -> dict:
    instances = 20 if quick else 100
    results = {}
    (results["floor_http_sqlite_completion_ms"], results["floor_http_sqlite_instance_ms"]) = floor_http(
        sqlite_url("http.db"), instances
    )
    pg = postgres_url("secop_bench_http")
    if pg:
        completion, instance = floor_http(pg, instances)
        results["floor_http_pg_completion_ms"], results["floor_http_pg_instance_ms"] = completion, instance
    print(header("1c/1d. The 10-user-task diagram through gunicorn (2 workers), per completion"))
    print(
        row(
            "(c) HTTP + SQLite",
            results["floor_http_sqlite_completion_ms"],
            extra="target median <= 5, p95 <= 10",
        )
    )
    print(row("(c) HTTP + SQLite, per instance (10 completions)", results["floor_http_sqlite_instance_ms"]))
    if pg:
        print(row("(d) HTTP + PostgreSQL", results["floor_http_pg_completion_ms"]))
        print(row("(d) HTTP + PostgreSQL, per instance", results["floor_http_pg_instance_ms"]))
    if pg:
        seconds = 5.0 if quick else 15.0
        runs = ((1, "per-request"), (4, "per-request"), (16, "per-request"), (16, "keep-alive"))
        load = throughput(postgres_url("secop_bench_load"), runs=runs, seconds=seconds)
        users = throughput(
            postgres_url("secop_bench_users"), runs=((16, "per-request"),), seconds=seconds, mode="user"
        )
        results["throughput_pg"] = {"entity_registration": load, "user_registration_form": users}
        print("\n4. Throughput — gunicorn 2 processes x 2 threads + PostgreSQL, clients in another process")
        for name, group in (("entity registration", load), ("user registration form (argon2)", users)):
            for run, values in group.items():
                rate, workers = values["completions_per_second"], values["worker_cpu_seconds"]
                print(f"  {name}, {run:>15}: {rate:7.1f} completions/s, p95 {values['p95_ms']:.1f} ms, "
                      f"errors {values['errors']}, worker CPU s {workers}, "
                      f"generator CPU s {values['generator_cpu_seconds']}")  # fmt: skip
    mem = memory(sqlite_url("memory.db"), 2000 if quick else 10_000)
    results["memory"] = mem
    print("\n6. Memory — one gunicorn worker's RSS by completions served")
    print("  " + ", ".join(f"{k}: {v / 1024:.1f} MB" for k, v in mem["rss_kb"].items()))
    print(f"  growth after warm-up (1,000 -> last): {mem['growth_after_warmup_kb'] / 1024:.1f} MB")
    return {"http": results}
