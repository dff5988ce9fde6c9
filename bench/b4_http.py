"""HTTP benchmarks against gunicorn: 1c/1d (the 10-user-task diagram through the real
server, SQLite and PostgreSQL), 4 (throughput of the registration form at 1/4/16 clients,
PostgreSQL) and 6 (a web process's memory after 10,000 completions)."""

from __future__ import annotations

import json
import os
import shutil
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
from bench.cpu_counters import per_kind
from bench.cpu_counters import read_counters
from bench.diagrams import write_linear_set
from bench.http_server import COUNTED
from bench.http_server import gunicorn
from bench.http_server import logged_in_client
from bench.http_server import prepare
from engine.domain.models import User

TASKS = 10
COMPLETE, TASK_PAGE, INBOX = "POST tasks.complete", "GET tasks.task", "GET tasks.inbox"
# Targets of issue 14 (make bench prints each with met/missed).
TARGET_COMPLETION_MS = (1.5, 3.0)  # SQLite, median / p95
TARGET_CPU_MS = 3.0  # server CPU per completion with the next page's GET
TARGET_THROUGHPUT = 400  # completions/s at 16 clients, PostgreSQL, 0 errors


def _user_id(runner, username="bench") -> int:
    from sqlalchemy import select

    with runner.transaction() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _complete_instances(
    client: Browser, token: str, runner, actor, count: int, pages: bool = False
) -> list[float]:
    """Milliseconds per completion (the POST alone). ``pages``: also GET each next task page
    and the inbox once per instance, as a person does (their server CPU is counted, not timed)."""
    times = []
    for _ in range(count):
        task_id = runner.start("linear10", actor).next_tasks[0].id
        if pages:
            client.get("/tareas/")
            client.get(f"/tareas/{task_id}")
        for step in range(TASKS):
            begin = time.perf_counter()
            response = client.post(f"/tareas/{task_id}", {"valor": f"paso {step}", "csrf_token": token})
            times.append((time.perf_counter() - begin) * 1000)
            if response.status != 302:
                raise RuntimeError(f"completion answered {response.status}")
            task_id = response.location.rstrip("/").rsplit("/", 1)[-1]
            if pages and step < TASKS - 1:
                client.get(response.location)
    return times


def _workers(server) -> list[int]:
    return [int(pid) for pid in subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()]


def floor_http(url: str, instances: int) -> tuple[dict, dict, dict]:
    """(per completion, per instance: its 10 completions, server CPU) through gunicorn.

    Latency is measured on a run of completions alone; the server's CPU per request kind on a
    second run where the browser also opens each next task page and the inbox."""
    workdir = write_linear_set(Path(tempfile.mkdtemp()) / "workflows", TASKS)
    runner = prepare(url, workdir)
    actor = runner.actor_for_user(_user_id(runner))
    cpu = {}
    with gunicorn(url, workdir, workers=2) as (base, server):
        client, token = logged_in_client(base)
        _complete_instances(client, token, runner, actor, 10, pages=True)  # warm-up
        times = _complete_instances(client, token, runner, actor, instances)
        if COUNTED:
            pids = _workers(server)
            before = read_counters(base, pids)
            process_before = [_cpu_seconds(pid) for pid in pids]
            _complete_instances(client, token, runner, actor, instances, pages=True)
            kinds = per_kind(before, read_counters(base, pids))
            process_seconds = sum(_cpu_seconds(pid) for pid in pids) - sum(process_before)
            completions = kinds.get(COMPLETE, {}).get("requests", 0)
            cpu = {
                "per_kind": kinds,
                "completion_with_next_page_ms": round(
                    kinds.get(COMPLETE, {}).get("cpu_ms_per_request", 0)
                    + kinds.get(TASK_PAGE, {}).get("cpu_ms_per_request", 0),
                    3,
                ),  # fmt: skip
                # everything the worker processes spent (gunicorn, counters' reads included) per completion
                "process_cpu_ms_per_completion": round(process_seconds * 1000 / max(completions, 1), 3),
            }
    runner.close()
    per_instance = [sum(times[i : i + TASKS]) for i in range(0, len(times), TASKS)]
    return summary(times), summary(per_instance), cpu


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
    workdir = copy_project_diagrams()
    most = max(clients for clients, _ in runs)
    prepare(url, workdir, usernames=[f"carga{n}" for n in range(1, most + 1)]).close()
    results = {}
    with gunicorn(url, workdir, workers=2) as (base, server):
        workers = _workers(server)

        def load(clients: int, connections: str, duration: float) -> dict:
            return json.loads(subprocess.run(
                [sys.executable, "-m", "bench.load", base, str(clients), str(duration), mode, connections],
                capture_output=True, text=True, check=True, cwd=ROOT,
            ).stdout)  # fmt: skip

        load(4, "per-request", 3)  # warm-up: imports, templates, prepared statements
        for clients, connections in runs:
            before = [_cpu_seconds(pid) for pid in workers]
            counters = read_counters(base, workers) if COUNTED else {}
            result = load(clients, connections, seconds)
            # How the work fell on the two processes (a process uses one core at most).
            spent = [round(_cpu_seconds(pid) - start, 2) for pid, start in zip(workers, before, strict=True)]
            result["worker_cpu_seconds"] = spent
            result["worker_cpu_share"] = [round(x / max(sum(spent), 1e-9), 2) for x in spent]
            if COUNTED:
                after = read_counters(base, workers)
                result["server_cpu_per_kind"] = per_kind(counters, after)
                # requests each process served: how the kernel (or the shared socket) spread them
                result["worker_requests"] = [
                    sum(n for n, _ in after.get(pid, {}).values())
                    - sum(n for n, _ in counters.get(pid, {}).values())
                    for pid in workers
                ]
            results[f"{clients} {connections}"] = result
    return results


def copy_project_diagrams() -> Path:
    """The repository's workflows (scenarios included) with its forms, in a fresh folder."""
    workdir = Path(tempfile.mkdtemp()) / "workflows"
    shutil.copytree(ROOT / "workflows", workdir)
    shutil.copytree(ROOT / "forms", workdir / "forms")
    return workdir


def argon2_parameters() -> dict:
    """The password hasher the registration form uses, against OWASP's Password Storage Cheat
    Sheet (argon2id: m=47104 KiB t=1, m=19456 t=2, m=12288 t=3, m=9216 t=4, m=7168 t=5; p=1):
    met when some OWASP row asks for no more memory and no more passes than ours."""
    from argon2 import Type

    from engine.forms import _hasher as form_hasher
    from webui.core.users import _hasher as account_hasher

    owasp = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))
    found = {}
    for name, hasher in (("registration form", form_hasher), ("account pages", account_hasher)):
        memory, passes = hasher.memory_cost, hasher.time_cost
        found[name] = {
            "type": "argon2id" if hasher.type == Type.ID else str(hasher.type),
            "memory_kib": memory, "time_cost": passes, "parallelism": hasher.parallelism,
            "meets_owasp": hasher.type == Type.ID and any(memory >= m and passes >= t for m, t in owasp),
        }  # fmt: skip
    return found


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def run(quick: bool = False) -> dict:
    instances = 20 if quick else 100
    results = {}
    (results["floor_http_sqlite_completion_ms"], results["floor_http_sqlite_instance_ms"],
     results["server_cpu_sqlite"]) = floor_http(sqlite_url("http.db"), instances)  # fmt: skip
    pg = postgres_url("secop_bench_http")
    if pg:
        completion, instance, cpu = floor_http(pg, instances)
        results["floor_http_pg_completion_ms"], results["floor_http_pg_instance_ms"] = completion, instance
        results["server_cpu_pg"] = cpu
    print(header("1c/1d. The 10-user-task diagram through gunicorn (2 workers), per completion"))
    sqlite_ms = results["floor_http_sqlite_completion_ms"]
    median, p95 = TARGET_COMPLETION_MS
    ok = sqlite_ms["median"] <= median and sqlite_ms["p95"] <= p95
    print(
        row("(c) HTTP + SQLite", sqlite_ms, extra=f"target median <= {median}, p95 <= {p95}: {_verdict(ok)}")
    )
    print(row("(c) HTTP + SQLite, per instance (10 completions)", results["floor_http_sqlite_instance_ms"]))
    if pg:
        print(row("(d) HTTP + PostgreSQL", results["floor_http_pg_completion_ms"]))
        print(row("(d) HTTP + PostgreSQL, per instance", results["floor_http_pg_instance_ms"]))
    print("\n1e. Server CPU per request kind (the server's own thread CPU counters, ms per request)")
    for database in ("sqlite", "pg"):
        cpu = results.get(f"server_cpu_{database}")
        if not cpu:
            continue
        for kind, values in cpu["per_kind"].items():
            print(f"  {database:<6} {kind:<40} {values['cpu_ms_per_request']:7.3f} ms  x{values['requests']}")
        both = cpu["completion_with_next_page_ms"]
        print(f"  {database:<6} completion + next page's GET: {both:.3f} ms (target <= {TARGET_CPU_MS}: "
              f"{_verdict(both <= TARGET_CPU_MS)}); worker processes' CPU per completion, all in: "
              f"{cpu['process_cpu_ms_per_completion']:.3f} ms")  # fmt: skip
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
                judged = name == "entity registration" and run.startswith("16 ")
                verdict = (
                    (
                        f" target >= {TARGET_THROUGHPUT}/s, 0 errors: "
                        f"{_verdict(rate >= TARGET_THROUGHPUT and values['errors'] == 0)};"
                    )
                    if judged
                    else ""
                )
                print(f"  {name}, {run:>15}: {rate:7.1f} completions/s, p95 {values['p95_ms']:.1f} ms, "
                      f"errors {values['errors']},{verdict} worker CPU s {workers} "
                      f"(shares {values['worker_cpu_share']}; requests {values.get('worker_requests')}), "
                      f"generator CPU s {values['generator_cpu_seconds']}")  # fmt: skip
                for kind, cpu in values.get("server_cpu_per_kind", {}).items():
                    print(f"      {kind:<40} {cpu['cpu_ms_per_request']:7.3f} ms  x{cpu['requests']}")
    passwords = argon2_parameters()
    results["argon2"] = passwords
    print(
        "\n4b. Password hashing vs OWASP Password Storage Cheat Sheet (argon2id, m >= 19 MiB with t >= 2 ...)"
    )
    for name, values in passwords.items():
        print(f"  {name}: {values['type']} m={values['memory_kib']} KiB t={values['time_cost']} "
              f"p={values['parallelism']}: {_verdict(values['meets_owasp'])}")  # fmt: skip
    if "BENCH_SKIP_MEMORY" not in os.environ:
        mem = memory(sqlite_url("memory.db"), 2000 if quick else 10_000)
        results["memory"] = mem
        print("\n6. Memory — one gunicorn worker's RSS by completions served")
        print("  " + ", ".join(f"{k}: {v / 1024:.1f} MB" for k, v in mem["rss_kb"].items()))
        print(f"  growth after warm-up (1,000 -> last): {mem['growth_after_warmup_kb'] / 1024:.1f} MB")
    return {"http": results}
