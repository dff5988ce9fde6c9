"""Named points where a test can make this process die abruptly, as a crash would.

``ENGINE_FAILPOINT=<name>`` makes ``failpoint(name)`` call ``os._exit(137)``: no cleanup,
no rollback, no finally blocks — the database and the SMTP server see a vanished process.
Without the variable a failpoint costs one dictionary lookup.
"""

from __future__ import annotations

import os

CRASH_EXIT_CODE = 137


def failpoint(name: str) -> None:
    if os.environ.get("ENGINE_FAILPOINT") == name:
        os._exit(CRASH_EXIT_CODE)
