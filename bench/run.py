"""``make bench``: run the benchmarks, print a table, write bench/results/latest.json.

.venv/bin/python bench/run.py [--quick] [--only floor,history,scale,timers,sql,http,pages]
make bench BENCH_ARGS="--only http,pages --quick"   (a subset; BENCH_SKIP_MEMORY=1 skips 6)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import b1_floor  # noqa: E402
from bench import b2_history  # noqa: E402
from bench import b3_scale  # noqa: E402
from bench import b4_http  # noqa: E402
from bench import b5_timers  # noqa: E402
from bench import b7_sql  # noqa: E402
from bench import b8_pages  # noqa: E402
from bench.common import write_results  # noqa: E402

BENCHMARKS = {
    "floor": b1_floor.run,
    "history": b2_history.run,
    "scale": b3_scale.run,
    "timers": b5_timers.run,
    "sql": b7_sql.run,
    "http": b4_http.run,
    "pages": b8_pages.run,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer runs and sizes (a smoke test)")
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help="comma-separated: " + ",".join(BENCHMARKS)
    )
    args = parser.parse_args()
    results = {}
    for name in args.only.split(","):
        results.update(BENCHMARKS[name.strip()](quick=args.quick))
        write_results(results)
    print("\nwritten: bench/results/latest.json")


if __name__ == "__main__":
    main()
