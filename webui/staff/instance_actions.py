"""Operator actions on instances: cancel, retry a failed step, and migration to the newest
version (dry run first). Each needs a reason and is written to the instance's audit log."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from engine.errors import Conflict
from engine.errors import EngineError
from engine.errors import FormInvalid
from webui.core.identity import current_actor
from webui.core.identity import runner
from webui.core.inputs import int_value
from webui.staff import instances

EVENT_KINDS = {
    "started": "Inicio",
    "task_completed": "Tarea completada",
    "task_claimed": "Tarea tomada",
    "task_released": "Tarea liberada",
    "task_delegated": "Tarea delegada",
    "task_reassigned": "Tarea reasignada por un supervisor",
    "task_unclaimed": "Tarea quitada por un supervisor",
    "task_escalated": "Tarea vencida: aviso a supervisores",
    "message_delivered": "Mensaje recibido",
    "timer_fired": "Temporizador vencido",
    "step_failed": "Paso fallido",
    "retried": "Reintento",
    "variables_edited": "Datos corregidos",
    "suspended": "Suspensión",
    "resumed": "Reanudación",
    "skipped": "Elemento omitido",
    "token_moved": "Token movido",
    "cancelled": "Cancelación",
    "migrated": "Migración de versión",
    "email_queued": "Correo en cola",
    "document_staged": "Documento cargado",
}


def _reason() -> str:
    return (request.form.get("motivo") or "").strip()


def cancel(instance_id: int):
    """Cancel a running instance (reason required, audited)."""
    runner().instance(instance_id)  # 404 first
    try:
        runner().cancel(current_actor(), instance_id, _reason())
    except FormInvalid:
        flash("Indique el motivo de la cancelación.", "error")
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("La instancia fue cancelada.", "success")
    return redirect(url_for("staff.instances.show", instance_id=instance_id))


def retry(instance_id: int):
    """Run a failed step again (reason required, audited)."""
    runner().instance(instance_id)
    try:
        result = runner().retry(current_actor(), instance_id, _reason())
    except FormInvalid:
        flash("Indique el motivo del reintento.", "error")
    except Conflict as exc:
        flash(exc.message, "error")
    except EngineError as exc:  # failed where it could not stop: the engine recorded it
        flash(f"El paso volvió a fallar: {exc.message}", "error")
    else:
        flash(result.report, "error" if result.failed else "success")
    return redirect(url_for("staff.instances.show", instance_id=instance_id))


def edit_variables(instance_id: int):
    """Replace the instance's data with the JSON the operator edited (reason required,
    audited with before and after); refused input is drawn again as typed."""
    runner().instance(instance_id)
    text = request.form.get("variables") or ""
    try:
        runner().edit_variables(current_actor(), instance_id, text, _reason())
    except FormInvalid as exc:
        errors = {k: v for k, v in exc.errors.items()}
        if "reason" in errors:
            errors["motivo"] = ["Indique el motivo de la corrección."]
        return instances.show(instance_id, variables=text, errors=errors, status=422)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(
            "Se corrigieron los datos del trámite. Use «Reintentar» para ejecutar de nuevo el paso fallido.",
            "success",
        )
    return redirect(url_for("staff.instances.show", instance_id=instance_id))


def _command(instance_id: int, command, done: str, missing: str):
    """Run an operator command that needs only a reason; say what happened."""
    runner().instance(instance_id)
    try:
        result = command(current_actor(), instance_id, _reason())
    except FormInvalid:
        flash(missing, "error")
    except Conflict as exc:
        flash(exc.message, "error")
    except EngineError as exc:
        flash(f"No fue posible: {exc.message}", "error")
    else:
        report = getattr(result, "report", None)
        flash(report or done, "error" if getattr(result, "failed", None) else "success")
    return redirect(url_for("staff.instances.show", instance_id=instance_id))


def suspend(instance_id: int):
    done = "El trámite quedó suspendido: nada avanza hasta reanudarlo."
    return _command(instance_id, runner().suspend, done, "Indique el motivo de la suspensión.")


def resume(instance_id: int):
    return _command(
        instance_id, runner().resume, "El trámite fue reanudado.", "Indique el motivo de la reanudación."
    )


def skip(instance_id: int):
    element = (request.form.get("elemento") or "").strip() or None
    return _command(instance_id, lambda actor, i, reason: runner().skip(actor, i, reason, element),
                    "Se omitió el elemento.", "Indique el motivo para omitir el elemento.")  # fmt: skip


def move(instance_id: int):
    """Move the token (instance modification): "Simular" shows the resulting state and writes
    nothing; "Mover" does it (reason required, audited)."""
    runner().instance(instance_id)
    source = (request.form.get("desde") or "").strip() or None
    target = (request.form.get("hacia") or "").strip()
    dry_run = "simular" in request.form
    try:
        result = runner().move_token(current_actor(), instance_id, _reason(), source, target, dry_run)
    except FormInvalid:
        flash("Indique el motivo para mover el token.", "error")
    except Conflict as exc:
        flash(exc.message, "error")
    except EngineError as exc:  # a dry run that fails where the engine cannot stop
        flash(f"No fue posible: {exc.message}", "error")
    else:
        if dry_run:
            return instances.show(instance_id, preview=result.report)
        flash(result.report, "error" if result.failed else "success")
    return redirect(url_for("staff.instances.show", instance_id=instance_id))


def _ids(values) -> list[int]:
    return sorted({n for n in map(int_value, values) if n is not None})


def migration_check():
    """Dry run: which of the chosen instances can move to their process's newest version, and why not."""
    ids = _ids(request.args.getlist("ids"))
    checks = runner().check_migration(ids) if ids else []
    return render_template(
        "staff/instances/migrate.html", checks=checks, done=False, title="Migrar instancias"
    )


def migrate():
    """Move the chosen instances; those that cannot move stay on their version."""
    ids = _ids(request.form.getlist("ids"))
    reason = _reason()
    if not ids or not reason:
        flash("Elija las instancias e indique el motivo de la migración.", "error")
        checks = runner().check_migration(ids) if ids else []
        return render_template(
            "staff/instances/migrate.html", checks=checks, done=False, title="Migrar instancias"
        ), 400
    checks = runner().migrate(current_actor(), ids, reason)
    moved = sum(1 for c in checks if c.can_move)
    flash(f"Instancias migradas: {moved} de {len(checks)}.", "success" if moved else "warning")
    return render_template(
        "staff/instances/migrate.html", checks=checks, done=True, title="Resultado de la migración"
    )
