"""A lean HTTP/1.1 browser for the HTTP benchmarks: one kept-alive connection, cookies and
form posts, blocking (``Browser``) or asyncio (``AsyncBrowser``).

Why not httpx: it spends 1-2 ms of CPU per request. On this 2-core machine the client shares
the cores with the server it measures, so every millisecond the client burns is taken from
the server (a load test from another machine would not pay it). This client spends about a
tenth of that and does only what a browser posting forms needs.
"""

from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlencode
from urllib.parse import urlsplit

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers["location"]

    def csrf_token(self) -> str:
        found = CSRF.search(self.text) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', self.text)
        if not found:
            raise RuntimeError(f"no CSRF token in the page (HTTP {self.status})")
        return found.group(1)


class _Session:
    """What both browsers share: the request bytes, the response head, the cookie jar."""

    def __init__(self, base: str, keep_alive: bool = True):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.keep_alive = keep_alive

    def _request_bytes(self, method: str, path: str, form: dict | None) -> bytes:
        body = urlencode(form or {}, doseq=True).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: text/html"]
        if not self.keep_alive:
            lines.append("Connection: close")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def _head(self, raw: bytes) -> tuple[Response, bool]:
        """Parse status and headers; remember cookies. Returns (response, keep the connection)."""
        status_line, *header_lines = raw.decode("latin-1").split("\r\n")
        response = Response(int(status_line.split(" ", 2)[1]))
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._set_cookie(value)
            else:
                response.headers[name] = value
        return response, self.keep_alive and response.headers.get("connection", "").lower() != "close"

    def _set_cookie(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0",) or "1970" in a for a in attributes)
        if expired:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value


class Browser(_Session):
    """Blocking: one request at a time (latency benchmarks)."""

    def __init__(self, base: str, timeout: float = 30):
        super().__init__(base)
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._file = None

    def _connect(self) -> None:
        self.close()
        self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rb")

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
            if self._sock is None:
                self._connect()
            try:
                self._sock.sendall(self._request_bytes(method, path, form))
                return self._read()
            except (ConnectionError, EOFError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read(self) -> Response:
        lines = []
        while True:
            line = self._file.readline()
            if not line:
                raise EOFError("the server closed the connection")
            if line == b"\r\n":
                break
            lines.append(line)
        response, keep = self._head(b"".join(lines).rstrip(b"\r\n"))
        if response.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self._file.readline().split(b";")[0], 16):
                chunks.append(self._file.read(size))
                self._file.readline()
            self._file.readline()
            response.body = b"".join(chunks)
        else:
            response.body = self._file.read(int(response.headers.get("content-length", 0)))
        if not keep:
            self.close()
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def close(self) -> None:
        if self._sock is not None:
            self._file.close()
            self._sock.close()
        self._sock = self._file = None


class AsyncBrowser(_Session):
    """asyncio: many browsers in one load-generator process."""

    def __init__(self, base: str, keep_alive: bool = True):
        super().__init__(base, keep_alive)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: dict | None = None) -> Response:
        for attempt in (1, 2):
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            try:
                self._writer.write(self._request_bytes(method, path, form))
                return await self._read()
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _read(self) -> Response:
        head = await self._reader.readuntil(b"\r\n\r\n")
        response, keep = self._head(head[:-4])
        if response.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await self._reader.readline()).split(b";")[0], 16):
                chunks.append(await self._reader.readexactly(size))
                await self._reader.readline()
            await self._reader.readline()
            response.body = b"".join(chunks)
        else:
            response.body = await self._reader.readexactly(int(response.headers.get("content-length", 0)))
        if not keep:
            await self.close()
        return response

    async def get(self, path: str) -> Response:
        return await self.request("GET", path)

    async def post(self, path: str, data: dict) -> Response:
        return await self.request("POST", path, data)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def __aenter__(self) -> AsyncBrowser:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()
