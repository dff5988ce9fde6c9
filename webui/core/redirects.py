"""The one place a ``next`` address from a request is allowed to become a redirect.

Browsers are lenient where servers are strict: they drop tabs and newlines inside a URL,
read ``\\`` as ``/``, and take ``//host`` (or ``/\\host``) as another site. So a target is
kept only when it is unmistakably a path on this site: one leading ``/`` not followed by
``/`` or ``\\``, printable ASCII only (no control characters, spaces, backslashes or
Unicode look-alikes), no scheme, no host, and not too long. Anything else is dropped and
the caller's default is used: a user who followed a doctored link lands somewhere safe.
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from urllib.parse import urlsplit

MAX_LENGTH = 2000
# "/" then anything printable but "\" — and the second character is not "/" or "\".
_LOCAL_PATH = re.compile(r"/(?![/\\])[!-\[\]-~]*")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, otherwise None."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    if not _LOCAL_PATH.fullmatch(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    # Percent-encoded tricks ("/%2F%2Fhost", "/%5Chost", "%0d%0a") are harmless here, but not
    # behind something that decodes once more: what they decode to must pass too.
    decoded = target
    for _ in range(3):
        decoded, previous = unquote(decoded), decoded
        if decoded == previous:
            break
        if decoded.startswith(("//", "/\\")) or _UNSAFE.search(decoded):
            return None
    return target
