"""Shared helpers for the benchmarks: timing, statistics, databases, result table."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
    }


def timed(fn, runs: int, warmup: int = 5) -> list[float]:
    """Milliseconds per call of ``fn`` over ``runs`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    return times


def sqlite_url(name: str) -> str:
    directory = Path(tempfile.mkdtemp(prefix="secop-bench-"))
    return f"sqlite:///{directory / name}"


def postgres_url(name: str = "secop_bench") -> str | None:
    """A fresh PostgreSQL database for a benchmark, or None when no server answers."""
    base = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
    if not base:
        try:
            base = subprocess.run(
                [str(ROOT / "scripts" / "ensure_postgres.sh")], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None
    from sqlalchemy import text

    from engine.db import make_engine

    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
            conn.execute(text(f'create database "{name}"'))
    finally:
        admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def write_results(results: dict, path: Path = RESULTS / "latest.json") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(path.read_text()) if path.exists() else {}
    merged = {**previous.get("benchmarks", {}), **results}
    payload = {
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "benchmarks": merged,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def row(label: str, stats: dict, unit: str = "ms", extra: str = "") -> str:
    return f"  {label:<52} {stats['median']:9.2f} {stats['p95']:9.2f} {unit:>4}  {extra}"


def header(title: str) -> str:
    return f"\n{title}\n  {'':<52} {'median':>9} {'p95':>9}"
