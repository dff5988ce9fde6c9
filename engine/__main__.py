"""Command line: ``python -m engine check [DIR] [--forms DIR]`` and ``python -m engine worker``.

This program is a composition root, like webui's ``create_app``: it is the one module of the
engine package that names the SECOP domain (``engine.domain.secop_domain``), to hand it to
the checker and the Runner. The engine's library modules never import ``engine.domain``
(see the import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.checker import check
from engine.checker import warnings
from engine.config import EngineConfig
from engine.diagrams import DiagramSet
from engine.domain import secop_domain


def main(argv: list[str] | None = None) -> int:
    defaults = EngineConfig()
    parser = argparse.ArgumentParser(prog="python -m engine")
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="validate a diagram set")
    check_cmd.add_argument("directory", nargs="?", default=str(defaults.workflows_dir))
    check_cmd.add_argument("--forms", default=None, help="forms directory (default: ../forms beside DIR)")
    worker_cmd = commands.add_parser(
        "worker", help="fire due timers and send the outbox (DATABASE_URL, SMTP_*)"
    )
    worker_cmd.add_argument("--poll", type=float, default=0.25, help="seconds between rounds")
    args = parser.parse_args(argv)
    if args.command == "worker":
        return run_worker(args.poll)

    directory = Path(args.directory)
    if not directory.is_dir():
        print(f"{directory}: no es un directorio", file=sys.stderr)
        return 2
    forms_dir = Path(args.forms) if args.forms else directory.parent / "forms"
    if not forms_dir.is_dir():
        forms_dir = directory / "forms"
    diagrams = DiagramSet.from_dirs(directory, forms_dir)
    problems = check(diagrams, secop_domain())
    for problem in problems:
        print(problem)
    for warning in warnings(diagrams):
        print(warning)  # deployable: a second look, not a refusal
    if problems:
        return 1
    bpmn = len(diagrams.bpmn_files())
    dmn = len(diagrams.dmn_files())
    print(f"OK: {bpmn} diagramas BPMN, {dmn} tablas DMN y {len(diagrams.forms)} formularios sin problemas.")
    return 0


def run_worker(poll: float) -> int:
    import logging
    import os

    from engine import logs
    from engine.config import MailNotConfigured
    from engine.config import mail_transport_from_env
    from engine.config import outbox_lease_from_env
    from engine.runner import Runner
    from engine.worker import Worker

    if logs.wants_json():
        logs.configure()
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if os.environ.get("APP_ENV", "").lower() == "production" and not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is required in production (APP_ENV=production)", file=sys.stderr)
        return 2
    url = os.environ.get(
        "DATABASE_URL", f"sqlite:///{EngineConfig().workflows_dir.parent / 'instance' / 'secop.db'}"
    )
    try:
        settings, transport = mail_transport_from_env()
    except MailNotConfigured as exc:
        print(exc, file=sys.stderr)
        return 2
    runner = Runner.from_url(url, EngineConfig.from_env(), domain=secop_domain())
    loop = Worker(runner, settings, poll_seconds=poll, transport=transport, lease=outbox_lease_from_env())
    loop.run_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
