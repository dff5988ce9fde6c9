"""Uploaded documents: the guide's §6 rules, checked on content, stored outside the web root.

The extension must be permitted and not among §6's forbidden ones, and the first bytes
must match that extension's format: a renamed .exe is refused whatever its name says.

A staged upload (sent by "Anexar", its form not yet submitted) is a quota: nobody keeps more
than ``max_staged_per_task`` per task nor ``max_staged_per_user`` in all, and the worker
deletes those older than ``staged_upload_ttl``, row and file (issue 17: ten 1 MB files,
staged and never submitted, were kept forever).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from pathlib import Path

from engine.db import utcnow
from engine.errors import UploadRefused

FORBIDDEN = set(
    ".psd .gif .jar .bat .rtf .thmx .exe .odt .dot .7z .bmp .emf .eml .gsheet .gz .isz .jpe "
    ".oxps .p7z .ppsx .ppt .dll .txt .xlsb .pptx".split()
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# extension -> (content type, magic prefixes, required zip member prefix)
PERMITTED = {
    ".pdf": ("application/pdf", (b"%PDF-",), None),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",), None),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",), None),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",), None),
    ".tif": ("image/tiff", (b"II*\x00", b"MM\x00*"), None),
    ".tiff": ("image/tiff", (b"II*\x00", b"MM\x00*"), None),
    ".doc": ("application/msword", (OLE,), None),
    ".xls": ("application/vnd.ms-excel", (OLE,), None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,), "word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,), "xl/"),
}
PERMITTED_LABEL = "PDF (preferido), JPG, PNG, TIFF, Word (.doc, .docx) o Excel (.xls, .xlsx)"


def safe_display_name(filename: str) -> str:
    """The name shown to people: no path, no control characters, bounded length."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip() or "documento"
    return name[-120:]


def check_upload(filename: str, content: bytes, max_bytes: int) -> tuple[str, str]:
    """Return (display name, content type) or raise UploadRefused with a Spanish reason."""
    name = safe_display_name(filename)
    extension = Path(name).suffix.lower()
    if not content:
        raise UploadRefused("El archivo está vacío.")
    if len(content) > max_bytes:
        raise UploadRefused(f"El archivo supera el tamaño máximo de {max_bytes // (1024 * 1024)} MB.")
    if extension in FORBIDDEN:
        raise UploadRefused(f"Los archivos {extension} no se pueden anexar (guía §6). Use {PERMITTED_LABEL}.")
    if extension not in PERMITTED:
        raise UploadRefused(f"Tipo de archivo no permitido. Use {PERMITTED_LABEL}.")
    content_type, magics, zip_member = PERMITTED[extension]
    if not content.startswith(magics) or (zip_member and not _zip_has(content, zip_member)):
        raise UploadRefused(
            f"El contenido del archivo no corresponde a un {extension[1:].upper()} válido. "
            "Verifique que el documento no esté dañado ni renombrado."
        )
    return name, content_type


def _zip_has(content: bytes, prefix: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return any(info.filename.startswith(prefix) for info in archive.infolist())
    except zipfile.BadZipFile:
        return False


def store(upload_dir: Path, content: bytes) -> tuple[str, str]:
    """Write ``content`` under a random name (never the user's); return (stored name, sha256)."""
    upload_dir = Path(upload_dir)
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex
    (upload_dir / stored_name).write_bytes(content)
    return stored_name, hashlib.sha256(content).hexdigest()


def path_of(upload_dir: Path, stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("invalid stored name")
    return Path(upload_dir) / stored_name


def check_quota(staged_for_task: int, staged_for_user: int, config) -> None:
    """Refuse one more staged upload past either cap, in Spanish, saying what to do."""
    hours = _hours(config.staged_upload_ttl)
    if staged_for_task >= config.max_staged_per_task:
        raise UploadRefused(
            f"Ya cargó {staged_for_task} documentos en este trámite sin enviar el formulario (máximo "
            f"{config.max_staged_per_task}). Envíe el formulario con los documentos anexados; los que "
            f"no se envían se eliminan después de {hours} horas."
        )
    if staged_for_user >= config.max_staged_per_user:
        raise UploadRefused(
            f"Tiene {staged_for_user} documentos cargados sin enviar en sus trámites (máximo "
            f"{config.max_staged_per_user}). Envíe los formularios pendientes; los documentos que no se "
            f"envían se eliminan después de {hours} horas."
        )


def _hours(ttl) -> str:
    hours = ttl.total_seconds() / 3600
    return f"{hours:g}".replace(".", ",")


def delete_staged_of(transaction, documents, config, instance_id: int) -> int:
    """Delete what was staged for an instance that finished (completed, cancelled, discarded):
    no form of it can name those uploads any more. Rows first, then files, as below."""
    if documents is None:
        return 0
    with transaction() as session:
        stored_names = documents.discard_staged(session, instance_id)
    _unlink(config, stored_names)
    return len(stored_names)


def _unlink(config, stored_names) -> None:
    for stored_name in stored_names:
        try:
            path_of(config.upload_dir, stored_name).unlink(missing_ok=True)
        except ValueError:
            continue  # not a name this engine wrote


def expire_staged(transaction, documents, config, now=None) -> int:
    """Delete the staged uploads older than ``config.staged_upload_ttl``: the rows in one
    transaction (``documents.expire_staged``), then their files. Returns how many."""
    if documents is None:
        return 0
    cutoff = (now or utcnow()) - config.staged_upload_ttl
    with transaction() as session:
        stored_names = documents.expire_staged(session, cutoff)
    # Files only after the rows are gone: a crash here leaves a file nobody names, never a
    # row naming a missing file.
    _unlink(config, stored_names)
    return len(stored_names)
