"""Render docs/performance.md's results section from bench/results/latest.json.

.venv/bin/python bench/report.py   (make bench runs it after the benchmarks)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def ms(stats: dict) -> str:
    return f"{stats['median']:.2f} / {stats['p95']:.2f}"


def render(data: dict) -> str:
    b = data["benchmarks"]
    m = data["machine"]
    lines = [
        f"Last run: {data['at']} on {m['cpu']} ({m['cores']} cores, {m['memory']}), Python {m['python']}.",
        "",
    ]
    lines += ["| # | Measure | Result (median / p95 ms unless stated) | Target | |", "|---|---|---|---|---|"]
    floor = b.get("floor")
    http = b.get("http", {})
    if floor:
        task, instance = floor["raw_task_ms"], floor["raw_instance_ms"]

        def vs_floor(completion: dict, whole: dict | None) -> str:
            ratio = f"{completion['median'] / task['median']:.0f}x"
            if whole:
                ratio += f" per completion, {whole['median'] / instance['median']:.0f}x per instance"
            return ratio + " (a)"

        def both(completion: dict, whole: dict | None) -> str:
            return ms(completion) + (f"; per instance {ms(whole)}" if whole else "")

        lines.append(f"| 1a | raw SpiffWorkflow, per task | {both(task, instance)} | — | floor |")
        runner_ms = floor["runner_sqlite_completion_ms"], floor.get("runner_sqlite_instance_ms")
        lines.append(
            f"| 1b | runner + SQLite, per completion | {both(*runner_ms)} | — | {vs_floor(*runner_ms)} |"
        )
        if "floor_http_sqlite_completion_ms" in http:
            sqlite_ms = http["floor_http_sqlite_completion_ms"], http.get("floor_http_sqlite_instance_ms")
            ok = sqlite_ms[0]["median"] <= 1.5 and sqlite_ms[0]["p95"] <= 3
            lines.append(f"| 1c | HTTP (gunicorn) + SQLite, per completion | {both(*sqlite_ms)} | ≤ 1.5 / ≤ 3 | "
                         f"{verdict(ok)}, {vs_floor(*sqlite_ms)} |")  # fmt: skip
        if "floor_http_pg_completion_ms" in http:
            pg_ms = http["floor_http_pg_completion_ms"], http.get("floor_http_pg_instance_ms")
            lines.append(f"| 1d | HTTP (gunicorn) + PostgreSQL, per completion | {both(*pg_ms)} | — | "
                         f"{vs_floor(*pg_ms)} |")  # fmt: skip
    for database, label in (("sqlite", "SQLite"), ("pg", "PostgreSQL")):
        cpu = http.get(f"server_cpu_{database}")
        if not cpu:
            continue
        kinds = ", ".join(f"{kind} {v['cpu_ms_per_request']:.2f}" for kind, v in cpu["per_kind"].items())
        both_ms = cpu["completion_with_next_page_ms"]
        lines.append(f"| 1e | {label}: server CPU ms per request kind (the server's thread CPU counters): {kinds}; "
                     f"worker processes all in {cpu['process_cpu_ms_per_completion']:.2f} per completion "
                     f"| completion + next page {both_ms:.2f} ms | ≤ 3 | {verdict(both_ms <= 3)} |")  # fmt: skip
    history = b.get("history")
    if history:
        rounds = history["rounds"]
        text = ", ".join(
            f"r{k}: {v['median_ms']:.2f} ms ({v['state_bytes'] / 1024:.0f} KB)" for k, v in rounds.items()
        )
        ok = history["ratio_1000_to_1"] <= 1.5
        lines.append(f"| 2 | completion at round 1/50/200/1000 of a loop | {text}; ratio {history['ratio_1000_to_1']:.2f}x "
                     f"| ≤ 1.5x | {verdict(ok)} |")  # fmt: skip
    scale = b.get("scale", {})
    for database, sizes in scale.items():
        biggest = max(sizes, key=int)
        values = sizes[biggest]
        p95 = max(stats["p95"] for stats in values.values())
        extra = "".join(f", {label} {ms(values[key])}" for key, label in
                        (("models_page_ms", "/modelos/"), ("heatmap_ms", "heatmap")) if key in values)  # fmt: skip
        lines.append(
            f"| 3 | {database}, {int(biggest):,} instances: inbox {ms(values['inbox_mesa_ms'])}, "
            f"list {ms(values['instance_list_ms'])}, filtered list {ms(values['instance_list_filtered_ms'])}, "
            f"instance page {ms(values['instance_page_ms'])}{extra} | worst p95 {p95:.1f} | p95 ≤ 50 | "
            f"{verdict(p95 <= 50)} |"
        )
    load = http.get("throughput_pg", {})
    for run, values in load.get("entity_registration", {}).items():
        clients, _, connections = str(run).partition(" ")
        judged = clients == "16"
        split = "/".join(f"{s:.1f}" for s in values.get("worker_cpu_seconds", []))
        shares = "/".join(f"{s:.0%}" for s in values.get("worker_cpu_share", []))
        ok = values["completions_per_second"] >= 400 and values["errors"] == 0
        lines.append(f"| 4 | PostgreSQL, {clients} clients ({connections or 'per-request'}), entity-registration "
                     f"tasks | {values['completions_per_second']:.0f}/s, p95 {values['p95_ms']:.1f} ms, "
                     f"{values['errors']} errors; worker CPU s {split} (shares {shares}) | "
                     f"{'≥ 400/s, 0 errors' if judged else '—'} | {verdict(ok) if judged else ''} |")  # fmt: skip
    for run, values in load.get("user_registration_form", {}).items():
        clients = str(run).partition(" ")[0]
        lines.append(f"| 4 | PostgreSQL, {clients} clients, user-registration form (argon2 hash) | "
                     f"{values['completions_per_second']:.0f}/s, p95 {values['p95_ms']:.1f} ms, {values['errors']} errors | — | |")  # fmt: skip
    for name, values in http.get("argon2", {}).items():
        lines.append(f"| 4b | password hash, {name}: {values['type']} m={values['memory_kib']} KiB "
                     f"t={values['time_cost']} p={values['parallelism']} | — | OWASP: argon2id m ≥ 19 MiB t ≥ 2 "
                     f"(or m ≥ 46 MiB t ≥ 1, …) | {verdict(values['meets_owasp'])} |")  # fmt: skip
    for name, values in b.get("pages", {}).items():
        kb, fcp = values["bytes"] / 1024, values.get("fcp_fast3g_ms") or float("nan")
        slow = f"; Slow 3G {values['fcp_slow3g_ms']:.0f} ms" if values.get("fcp_slow3g_ms") else ""
        lines.append(f"| 8 | page weight, first visit: {name} | {kb:.1f} KB in {values['requests']} requests; "
                     f"first paint on Fast 3G {fcp:.0f} ms{slow} | ≤ 60 KB, ≤ 1000 ms | "
                     f"{verdict(kb <= 60 and fcp <= 1000)} |")  # fmt: skip
    timers = b.get("timers", {})
    for database, values in timers.items():
        lag = values["lag_ms"]
        lines.append(f"| 5 | {database}: {values['fired']}/{values['timers']} timers, lag | "
                     f"median {lag['median']:.0f}, p99 {lag['p99']:.0f} | p99 ≤ 1000 | {verdict(lag['p99'] <= 1000)} |")  # fmt: skip
    memory = http.get("memory")
    if memory:
        rss = ", ".join(f"{k}: {v / 1024:.0f} MB" for k, v in memory["rss_kb"].items())
        growth = memory["growth_after_warmup_kb"] / 1024
        lines.append(f"| 6 | web worker RSS by completions: {rss} | growth after warm-up {growth:.1f} MB | no growth | "
                     f"{verdict(growth < 5)} |")  # fmt: skip
    sql = b.get("sql_per_click", {})
    for database, values in sql.items():
        ok = values["statements"] <= 10 and values["writes"] <= 5
        lines.append(f"| 7 | {database}: SQL per completion | {values['statements']} statements, {values['writes']} writes "
                     f"| ≤ 10, ≤ 5 writes | {verdict(ok)} |")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    if not RESULTS.exists():
        print("no bench/results/latest.json yet: run make bench", file=sys.stderr)
        return 1
    table = render(json.loads(RESULTS.read_text()))
    text = DOC.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(text[:start] + "\n" + table + "\n" + text[end:])
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
