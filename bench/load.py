"""Load generator (a second process): N concurrent browsers work the registration procedures.

    python -m bench.load BASE_URL CLIENTS SECONDS MODE CONNECTIONS   -> JSON on stdout

MODE "entity": each browser logs in as its own user and, again and again, starts
"Registrar cuenta de Entidad Estatal" and completes Validar (a new NIT each time), the first
part and the general information — three measured task completions per round.
MODE "user": each browser starts an anonymous "Registro" and posts the user form with a
unique username — one completion per round, dominated by the argon2 password hash.
CONNECTIONS "per-request": a new connection for every request, which is what gunicorn gets
behind the reverse proxy of docs/deploy.md (nginx talks HTTP/1.0 to upstreams by default);
"keep-alive": each browser keeps one connection to gunicorn.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
import uuid

from bench.browser import AsyncBrowser


def form(username: str, token: str) -> dict:
    return {
        "csrf_token": token,
        "first_names": "Ana María",
        "last_names": "Pérez Gómez",
        "document_type": "Cédula de ciudadanía",
        "document_number": "52123456",
        "email": f"{username}@carga.gov.co",
        "phone": "3001234567",
        "username": username,
        "password": "Clave.Segura1",
        "password_confirmation": "Clave.Segura1",
        "time_zone": "(UTC-05:00) Bogotá, Lima, Quito",
        "entity_name": "Alcaldía Municipal de Chía",
        "accept_terms": "on",
    }


class Start:
    """The measured window opens once every browser is ready (logged in): logging in hashes
    a password (argon2, tens of ms of CPU) and is not what the run measures."""

    def __init__(self, clients: int, seconds: float):
        self.waiting, self.clients, self.seconds = 0, clients, seconds
        self.go = asyncio.Event()
        self.begin = self.deadline = 0.0

    async def ready(self) -> float:
        self.waiting += 1
        if self.waiting == self.clients:
            self.begin = time.monotonic()
            self.deadline = self.begin + self.seconds
            self.go.set()
        await self.go.wait()
        return self.deadline


async def browser(base: str, keep_alive: bool, start: Start, latencies: list, errors: list) -> None:
    async with AsyncBrowser(base, keep_alive) as client:
        token = (await client.get("/")).csrf_token()
        deadline = await start.ready()
        while time.monotonic() < deadline:
            try:
                started = await client.post("/registro", {"csrf_token": token})
                token = (await client.get(started.location)).csrf_token()
                username = "u" + uuid.uuid4().hex[:12]
                begin = time.perf_counter()
                done = await client.post(started.location, form(username, token))
                latencies.append((time.perf_counter() - begin) * 1000)
                if done.status != 302:
                    errors.append(done.status)
            except (OSError, asyncio.IncompleteReadError, KeyError, RuntimeError) as exc:
                errors.append(type(exc).__name__)


ENTITY_STEPS = [
    {"entity_name": "Alcaldía Municipal de Chía", "nit": None},
    {"next_step": "registrar"},  # "Registrar": no Entidad with that NIT
    {"country": "Colombia", "account_type": "Entidad Estatal", "siif_registered": "false",
     "spgr_registered": "true", "spgr_code": "2517501", "business_area": "Público",
     "organization_type": "Entidad Estatal (De acuerdo con la definición del Decreto 1082 del 2015)"},
    {"account_name": "ALCALDIA MUNICIPAL DE CHIA", "short_name": "ALCALDIA MUNICIPAL DE CHIA",
     "entity_document_type": "NIT", "department": "25", "municipality": "25175",
     "decentralized": "false", "order": "Territorial", "branch": "Ejecutivo", "sector": "Planeación",
     "entity_type": "Municipio (Alcaldía)", "account_address": "Carrera 11 # 11-29",
     "account_phone": "6018844444", "notification_email": "contratacion@chia.gov.co",
     "delegated": "false", "action": "continuar"},
]  # fmt: skip


async def entity_browser(
    number: int, base: str, keep_alive: bool, start: Start, latencies: list, errors: list
) -> None:
    async with AsyncBrowser(base, keep_alive) as client:
        token = (await client.get("/entrar")).csrf_token()
        login = {"usuario": f"carga{number}", "contrasena": "Clave-bench-1", "csrf_token": token}
        await client.post("/entrar", login)
        token = (await client.get("/tareas/")).csrf_token()
        deadline = await start.ready()
        while time.monotonic() < deadline:
            try:
                started = await client.post("/tareas/iniciar/registro_entidad", {"csrf_token": token})
                location = started.location
                nit = f"9{uuid.uuid4().int % 10**8:08d}"
                for step in ENTITY_STEPS:
                    data = {k: (nit if k == "nit" else v) for k, v in step.items()}
                    begin = time.perf_counter()
                    done = await client.post(location, {**data, "csrf_token": token})
                    latencies.append((time.perf_counter() - begin) * 1000)
                    if done.status != 302:
                        errors.append(done.status)
                        break
                    location = done.location
                else:
                    # Left at "Anexar documentos": discard it (not timed), as a person who stops
                    # there does, since a second start resumes an unfinished registration (13.9).
                    await client.post(f"{location}/descartar", {"csrf_token": token})
            except (OSError, asyncio.IncompleteReadError, KeyError, RuntimeError) as exc:
                errors.append(type(exc).__name__)


async def main(base: str, clients: int, seconds: float, mode: str, connections: str) -> dict:
    latencies: list[float] = []
    errors: list = []
    keep_alive = connections == "keep-alive"
    start = Start(clients, seconds)
    if mode == "entity":
        browsers = [entity_browser(n + 1, base, keep_alive, start, latencies, errors) for n in range(clients)]
    else:
        browsers = [browser(base, keep_alive, start, latencies, errors) for _ in range(clients)]
    await asyncio.gather(*browsers)
    elapsed = time.monotonic() - start.begin
    ordered = sorted(latencies) or [float("nan")]
    return {
        "clients": clients,
        "connections": connections,
        "completions": len(latencies),
        "completions_per_second": len(latencies) / elapsed,
        "median_ms": ordered[len(ordered) // 2],
        "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "errors": len(errors),
        "error_kinds": sorted({str(e) for e in errors}),
        # The generator shares the machine's cores with the server: say what it took.
        "generator_cpu_seconds": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 2),
    }


if __name__ == "__main__":
    base_url, clients, seconds, mode, connections = sys.argv[1:6]
    print(json.dumps(asyncio.run(main(base_url, int(clients), float(seconds), mode, connections))))
