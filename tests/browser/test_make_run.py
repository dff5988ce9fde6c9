"""Issue 13.18: `make run` is the documented system. It serves the port asked for, mails links
to that port, runs the worker beside the server (an activation link really expires), prints
how to log in, and Ctrl-C stops the worker with the server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.browser.test_journeys import PASSWORD
from tests.browser.test_journeys import Journey
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
TTL_SECONDS = 15


def _wait_until_served(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run stopped:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"make run did not serve {url}:\n{log.read_text(errors='replace')}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is gone for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _register(j: Journey, username: str) -> str:
    """Registro → Continuar → the development mailbox: the activation link of the email."""
    j.goto("/")
    j.click("Registro")
    j.fill("Nombres (obligatorio)", "Ana")
    j.fill("Apellidos (obligatorio)", "Pérez")
    j.select("Tipo de documento (obligatorio)", "Cédula de ciudadanía")
    j.fill("Número de documento (obligatorio)", str(abs(hash(username)) % 10**9 + 10**6))
    j.fill("Correo electrónico (obligatorio)", f"{username}@alcaldia.gov.co")
    j.fill("Teléfono (obligatorio)", "3001234567")
    j.fill("Nombre de usuario (obligatorio)", username)
    j.fill("Contraseña (obligatorio)", PASSWORD)
    j.fill("Confirmar contraseña (obligatorio)", PASSWORD)
    j.fill("Entidad/Proveedor/Persona Natural/Veedor/Veeduría (obligatorio)", "ALCALDIA DE PRUEBA")
    j.field("Acepto los términos y condiciones de uso del SECOP II").check()
    j.click("Continuar")
    assert j.page.locator("h1").inner_text() == "Confirmar registro"
    j.link("Abrir el correo de desarrollo")
    j.page.locator("tr", has_text=f"{username}@alcaldia.gov.co").get_by_role("link").first.click()
    j.page.wait_for_load_state("load")
    return j.page.locator("pre.mail a").first.get_attribute("href")


def test_make_run_serves_mails_its_port_and_runs_the_worker(page, tmp_path, artifacts_dir):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SMTP_", "MAIL_"))}
    env.pop("BASE_URL", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'make-run.db'}",
        UPLOAD_DIR=str(tmp_path / "uploads"),
        ACTIVATION_LINK_TTL=f"PT{TTL_SECONDS}S",
    )
    log = tmp_path / "make-run.log"
    worker_pid = None
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            # As in a terminal: a suite started in the background inherits an ignored SIGINT.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip
    try:
        _wait_until_served(base, process, log)
        printed = log.read_text(errors="replace")
        assert "Entre en /entrar con:" in printed and re.search(r"usuario 'mesa' contraseña \S+", printed)
        worker_pid = int(re.search(r"trabajador en segundo plano \(pid (\d+)\)", printed).group(1))
        assert _alive(worker_pid)

        j = Journey(page, base, artifacts_dir, "make-run")
        link = _register(j, "ana.puerto")
        assert link.startswith(f"{base}/activar/"), link  # the port served, not :5000
        j.step("correo-activacion")
        j.page.goto(link)
        assert j.field("Nombre de usuario").input_value() == "ana.puerto"
        j.step("activado")

        late = _register(j, "beto.tarde")
        time.sleep(TTL_SECONDS + 3)  # the worker fires the expiry timer meanwhile
        j.page.goto(late)
        assert j.page.locator("h1").inner_text() == "El enlace no es válido"
        assert j.page.get_by_role("button", name="Reenviar enlace").is_visible()
        j.step("enlace-vencido")
        assert not j.violations, j.violations
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            stopped = process.wait(timeout=30) is not None
        except subprocess.TimeoutExpired:
            stopped = False
        if worker_pid is not None:
            deadline = time.monotonic() + 15
            while _alive(worker_pid) and time.monotonic() < deadline:
                time.sleep(0.2)
        leftovers = worker_pid is not None and _alive(worker_pid)
        try:  # whatever is left must not outlive the test
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    assert stopped, "make run did not stop on Ctrl-C"
    assert not leftovers, "the worker outlived make run"
