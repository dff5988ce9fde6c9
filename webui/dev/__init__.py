"""Development only: the outbox shown as a mailbox at /correo, so a new user can click the
activation link without a real SMTP server. ``create_app`` registers it only with
``MAIL_BACKEND=dev``, which webui.core.config allows only with ``APP_ENV=development``."""

from flask import Blueprint

from webui.dev import mailbox

bp = Blueprint("dev", __name__, url_prefix="/correo", template_folder="templates")

bp.before_request(mailbox.only_in_development)
bp.add_url_rule("/", view_func=mailbox.index, methods=["GET"])
bp.add_url_rule("/<int:email_id>", view_func=mailbox.show, methods=["GET"])
