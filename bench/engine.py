"""Issue 2's figure: for the same 10-user-task diagram, the median time per instance of
(a) raw SpiffWorkflow in memory and (b) the runner persisting every step to SQLite, and
their ratio. The measurement itself is benchmark 1 of ``make bench`` (bench/b1_floor.py).

Run: ``.venv/bin/python bench/engine.py [--quick]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.b1_floor import run  # noqa: E402

if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
