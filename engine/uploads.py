"""Uploaded documents: the guide's §6 rules, checked on content, stored outside the web root.

The extension must be permitted and not among §6's forbidden ones, and the first bytes
must match that extension's format: a renamed .exe is refused whatever its name says.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from pathlib import Path

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
