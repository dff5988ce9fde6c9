"""Guide §6: forbidden extensions, content that must match the extension, size limit."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.errors import UploadRefused
from engine.uploads import check_upload
from engine.uploads import safe_display_name

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
LIMIT = 1024 * 1024


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "content", "content_type"),
    [
        ("acta.pdf", PDF, "application/pdf"),
        ("RUT.PDF", PDF, "application/pdf"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"),
        ("oficio.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_permitted_documents(filename, content, content_type):
    assert check_upload(filename, content, LIMIT) == (filename, content_type)


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Los archivos .exe no se pueden anexar (guía §6)."),
        ("notas.txt", b"hola", "Los archivos .txt no se pueden anexar (guía §6)."),
        ("logo.gif", b"GIF89a", "Los archivos .gif no se pueden anexar (guía §6)."),
        ("presentacion.pptx", _docx(), "Los archivos .pptx no se pueden anexar (guía §6)."),
        ("virus.pdf", b"MZ\x90\x00\x03", "El contenido del archivo no corresponde a un PDF válido."),
        ("falso.docx", PDF, "El contenido del archivo no corresponde a un DOCX válido."),
        ("zip.docx", b"PK\x03\x04garbage", "El contenido del archivo no corresponde a un DOCX válido."),
        ("script.sh", b"#!/bin/sh", "Tipo de archivo no permitido."),
        ("vacio.pdf", b"", "El archivo está vacío."),
        ("grande.pdf", PDF + b"0" * LIMIT, "El archivo supera el tamaño máximo de 1 MB."),
    ],
)
def test_refused_documents(filename, content, message):
    with pytest.raises(UploadRefused) as caught:
        check_upload(filename, content, LIMIT)
    assert caught.value.message.startswith(message)


def test_file_names_are_never_paths():
    assert safe_display_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_display_name("C:\\Users\\ana\\acta.pdf") == "acta.pdf"
    assert safe_display_name("a\x00b\n.pdf") == "ab.pdf"
