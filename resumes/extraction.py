"""Recognising uploaded files by their bytes and reading their text.

Every way a file can be unreadable ends in `ExtractionError` with a sentence a
recruiter can act on; nothing here raises anything else for bad input.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

SUPPORTED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}
DESCRIPTIONS = {
    "pdf": "a PDF document",
    "docx": "a Word document (DOCX)",
    "odt": "an OpenDocument text (ODT)",
    "txt": "a plain text file",
}
HELP = "Upload a PDF, a Word document (DOCX), an OpenDocument text (ODT) or a plain text file."

# Signatures of files people mistake for resumes, so the refusal can name them.
_KNOWN_UNSUPPORTED = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word 97-2003 document (.doc)"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
]


class UnsupportedFile(Exception):
    pass


class ExtractionError(Exception):
    pass


def setting(name):
    defaults = {
        # What a DOCX or ODT may unpack to: all its parts together, and any one part.
        "RESUME_MAX_UNPACKED_MB": 50,
        "RESUME_MAX_UNPACKED_PART_MB": 20,
        # Unpacked size over packed size of one part; documents stay far below it.
        "RESUME_MAX_COMPRESSION_RATIO": 100,
        "RESUME_MAX_PDF_PAGES": 30,
    }
    return getattr(settings, name, defaults[name])


@dataclass
class Extracted:
    text: str
    page_count: int | None = None


def detect_kind(head, open_zip=None, *, name=""):
    """The kind of a file from its first bytes ("pdf", "docx", "odt", "txt").

    `head` is the start of the file (a few KB); `open_zip` returns a ZipFile of
    the whole file, needed to tell DOCX and ODT from other ZIP archives; `name`
    is the uploaded name, checked against the content when it is text.
    Raises UnsupportedFile naming what the file appears to be.
    """
    kind = _kind(head, open_zip)
    if kind == "txt":
        _check_text_against_name(head, name)
    return kind


def _kind(head, open_zip):
    if not head:
        raise UnsupportedFile("The file is empty.")
    # Some generators put junk before the header; readers accept it within 1 KB.
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(open_zip)
    for signature, description in _KNOWN_UNSUPPORTED:
        if head.startswith(signature):
            advice = " Save it as DOCX or PDF and upload that." if "document" in description else ""
            raise UnsupportedFile(
                f"This file is {description}, which is not supported.{advice} {HELP}"
            )
    if _looks_like_text(head):
        return "txt"
    raise UnsupportedFile(f"This file is binary data of an unknown type. {HELP}")


def _zip_kind(open_zip):
    try:
        with open_zip() as archive:
            try:
                budget = archive_check(archive)
            except ExtractionError as exc:
                raise UnsupportedFile(str(exc)) from None
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names:
                mimetype = _mimetype(archive, budget)
                if mimetype == SUPPORTED["odt"]:
                    return "odt"
                raise UnsupportedFile(
                    f"This file is an OpenDocument file of type {mimetype}, not a text "
                    f"document. {HELP}"
                )
            if "xl/workbook.xml" in names:
                raise UnsupportedFile(f"This file is an Excel spreadsheet. {HELP}")
            if "ppt/presentation.xml" in names:
                raise UnsupportedFile(f"This file is a PowerPoint presentation. {HELP}")
    except _ZIP_ERRORS:
        raise UnsupportedFile(f"This file is a damaged ZIP archive. {HELP}") from None
    raise UnsupportedFile(f"This file is a ZIP archive, not a document. {HELP}")


def _mimetype(archive, budget):
    # One short line; a longer member is no OpenDocument type, and is not read further.
    try:
        data = read_part(archive, archive.getinfo("mimetype"), budget, limit=200)
    except ExtractionError:
        return "unknown"
    return data.decode("ascii", "replace").strip()[:100]


# What zipfile raises on archives that are damaged or cut off.
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, zlib.error)

ZIP_BOMB = (
    "This file unpacks to more than {mb} MB, which no resume needs; it looks like a zip bomb. "
    "Save it again as a normal DOCX or PDF."
)
ZIP_BOMB_PART = (
    "One part of this file unpacks to more than {mb} MB, which no resume needs; it looks like "
    "a zip bomb. Save it again as a normal DOCX or PDF."
)
ZIP_BOMB_RATIO = (
    "Part of this file is compressed more than {ratio} to 1, which no real document is; it "
    "looks like a zip bomb. Save it again as a normal DOCX or PDF."
)
ZIP_LOCKED = (
    "This file is protected with a password, so its text can't be read. "
    "Upload a copy without the password."
)
ZIP_METHOD = (
    "This file is packed with a compression method that Word and LibreOffice never use, so "
    "it can't be read safely. Save it again as a normal DOCX or PDF."
)
# A part smaller than this can't hurt whatever its ratio (a page of spaces packs 1000 to 1).
_RATIO_FLOOR = 1024 * 1024
_CHUNK = 64 * 1024


class _Budget:
    """Bytes an archive may still unpack to, shared by all the parts read from it."""

    def __init__(self):
        self.total_mb = setting("RESUME_MAX_UNPACKED_MB")
        self.part_mb = setting("RESUME_MAX_UNPACKED_PART_MB")
        self.left = self.total_mb * 1024 * 1024


def archive_check(archive):
    """Refuse a DOCX or ODT from its central directory, before any part is unpacked.

    The sizes there are what the archive claims; `read_part` counts what it
    really unpacks, so an archive that lies about them is stopped too.
    Returns the budget for reading its parts.
    """
    budget = _Budget()
    ratio = setting("RESUME_MAX_COMPRESSION_RATIO")
    claimed = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise ExtractionError(ZIP_LOCKED)
        # Only these decompress in bounded steps; DOCX and ODT use nothing else.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ExtractionError(ZIP_METHOD)
        claimed += info.file_size
        if claimed > budget.left:
            raise ExtractionError(ZIP_BOMB.format(mb=budget.total_mb))
        if info.file_size > budget.part_mb * 1024 * 1024:
            raise ExtractionError(ZIP_BOMB_PART.format(mb=budget.part_mb))
        if info.file_size > _RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise ExtractionError(ZIP_BOMB_RATIO.format(ratio=ratio))
    return budget


def read_part(archive, info, budget, *, limit=None, keep=True):
    """One part of a checked archive, unpacked in bounded steps and counted as it comes."""
    part_limit = budget.part_mb * 1024 * 1024 if limit is None else limit
    size = 0
    chunks = []
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            budget.left -= len(chunk)
            if budget.left < 0:
                raise ExtractionError(ZIP_BOMB.format(mb=budget.total_mb))
            if size > part_limit:
                raise ExtractionError(ZIP_BOMB_PART.format(mb=budget.part_mb))
            if keep:
                chunks.append(chunk)
    return b"".join(chunks)


# Text that a browser or a shell would run. Named like a document, it is not a
# resume that was saved oddly but something made to look like one.
_ACTIVE_TEXT = [
    (re.compile(r"\A\s*#!"), "a script (it starts with #!)"),
    (re.compile(r"<\?php", re.IGNORECASE), "a PHP script"),
    (re.compile(r"<svg\b", re.IGNORECASE), "an SVG image"),
    (
        re.compile(r"<(?:!doctype\s+html|html|head|body|script|iframe)\b", re.IGNORECASE),
        "a web page (HTML)",
    ),
]
_DOCUMENT_NAMES = ("pdf", "docx", "odt")


def _check_text_against_name(head, name):
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in _DOCUMENT_NAMES:
        return
    text = decode_text(head)
    for pattern, description in _ACTIVE_TEXT:
        if pattern.search(text):
            raise UnsupportedFile(
                f"Its name says it is {DESCRIPTIONS[extension]}, but it is {description}. "
                "Save the resume as a PDF or DOCX from the program that made it and upload that."
            )


def _looks_like_text(head):
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    control = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x0b")
    return control <= len(head) * 0.01


def extract(kind, data):
    """The text of a file already recognised as `kind`."""
    readers = {"pdf": _pdf, "docx": _docx, "odt": _odt, "txt": _txt}
    result = readers[kind](data)
    result.text = _tidy(result.text)
    if not result.text:
        if kind == "pdf" and _pdf_has_images(data):
            raise ExtractionError(
                "This PDF contains only images; there's no text to read. "
                "Upload a text PDF or a DOCX."
            )
        raise ExtractionError("This document is empty: there is no text in it to read.")
    return result


def _tidy(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


ENCRYPTED = (
    "This PDF is protected with a password, so its text can't be read. "
    "Upload a copy without the password."
)
DAMAGED = "This PDF is damaged and can't be opened. Export it again and re-upload it."


def _pdf(data):
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pypdf import PdfReader

    # pypdf and pdfminer raise many exception types on malformed files; any of
    # them means the same thing to the recruiter. A task's time running out is
    # not one of them: it goes up to the task.
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        page_count = None if locked else len(reader.pages)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        raise ExtractionError(ENCRYPTED if "encrypt" in str(exc).lower() else DAMAGED) from None
    if locked:
        raise ExtractionError(ENCRYPTED)
    max_pages = setting("RESUME_MAX_PDF_PAGES")
    if page_count > max_pages:
        raise ExtractionError(
            f"This PDF has {page_count} pages, more than the {max_pages} a resume may have "
            "here, so its text was not read. Upload only the pages of the resume."
        )
    try:
        # Layout analysis groups text into boxes, so columns read one after the other.
        # pdfminer finds pages its own way; maxpages holds it to the limit too.
        text = extract_text(io.BytesIO(data), laparams=LAParams(), maxpages=max_pages)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        raise ExtractionError(DAMAGED) from None
    return Extracted(text=text, page_count=page_count)


def _pdf_has_images(data):
    from pypdf import PdfReader

    try:
        return any(page.images for page in PdfReader(io.BytesIO(data)).pages)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        # Images that can't be decoded are still images: a scan, most likely.
        return True


DOCX_DAMAGED = "This Word document is damaged and can't be opened. Save it again and re-upload it."


def _docx(data):
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            budget = archive_check(archive)
            # python-docx reads the parts it needs whole: every part is first
            # unpacked here within the budget, so none of those reads can be larger.
            for info in archive.infolist():
                read_part(archive, info, budget, keep=False)
    except _ZIP_ERRORS:
        raise ExtractionError(DOCX_DAMAGED) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        raise ExtractionError(DOCX_DAMAGED) from None
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:
                    cells.append(cell.text)
            parts.append(" | ".join(cells))
    for section in document.sections:
        parts.extend(paragraph.text for paragraph in section.header.paragraphs)
    return Extracted(text="\n".join(parts))


_ODT_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _odt(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            budget = archive_check(archive)
            content = read_part(archive, archive.getinfo("content.xml"), budget)
        root = ElementTree.fromstring(content)  # noqa: S314 - no DTDs
    except (*_ZIP_ERRORS, ElementTree.ParseError):
        raise ExtractionError(
            "This OpenDocument file is damaged and can't be opened. Save it again and re-upload it."
        ) from None
    lines = [
        "".join(element.itertext())
        for element in root.iter()
        if element.tag in (f"{_ODT_TEXT}p", f"{_ODT_TEXT}h")
    ]
    return Extracted(text="\n".join(lines))


def decode_text(data):
    """Bytes of a text file as str: UTF-8 or UTF-16 when marked, else Windows-1252.

    Files that are not UTF-8 come almost always from Windows editors; cp1252
    is a superset of Latin-1 for printable characters, and the five bytes it
    leaves undefined fall back to Latin-1 rather than failing.
    """
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _txt(data):
    return Extracted(text=decode_text(data))
