"""Recognising uploaded files by their bytes and reading their text.

Every way a file can be unreadable ends in `ExtractionError` with a sentence a
recruiter can act on; nothing here raises anything else for bad input.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

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


@dataclass
class Extracted:
    text: str
    page_count: int | None = None


def detect_kind(head, open_zip=None):
    """The kind of a file from its first bytes ("pdf", "docx", "odt", "txt").

    `head` is the start of the file (a few KB); `open_zip` returns a ZipFile of
    the whole file, needed to tell DOCX and ODT from other ZIP archives.
    Raises UnsupportedFile naming what the file appears to be.
    """
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
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
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
    except (zipfile.BadZipFile, OSError, KeyError):
        raise UnsupportedFile(f"This file is a damaged ZIP archive. {HELP}") from None
    raise UnsupportedFile(f"This file is a ZIP archive, not a document. {HELP}")


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
    # them means the same thing to the recruiter.
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        page_count = None if locked else len(reader.pages)
    except Exception as exc:
        raise ExtractionError(ENCRYPTED if "encrypt" in str(exc).lower() else DAMAGED) from None
    if locked:
        raise ExtractionError(ENCRYPTED)
    try:
        # Layout analysis groups text into boxes, so columns read one after the other.
        text = extract_text(io.BytesIO(data), laparams=LAParams())
    except Exception:
        raise ExtractionError(DAMAGED) from None
    return Extracted(text=text, page_count=page_count)


def _pdf_has_images(data):
    from pypdf import PdfReader

    try:
        return any(page.images for page in PdfReader(io.BytesIO(data)).pages)
    except Exception:
        # Images that can't be decoded are still images: a scan, most likely.
        return True


def _docx(data):
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise ExtractionError(
            "This Word document is damaged and can't be opened. Save it again and re-upload it."
        ) from None
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
            root = ElementTree.fromstring(archive.read("content.xml"))  # noqa: S314 - no DTDs
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
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
