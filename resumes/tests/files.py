"""Real resume files made on the spot: PDFs with fpdf2, DOCX with python-docx, and hostile ones."""

import io
import struct
import zipfile
import zlib

import docx
from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

RESUME_LINES = [
    "Jane Doe",
    "Senior Backend Engineer",
    "jane.doe@example.com | +1 415 555 0134 | github.com/janedoe",
    "",
    "Experience",
    "Acme Corp, Staff Engineer, 2019 - 2024",
    "Built payment services in Python and Go.",
    "",
    "Education",
    "MIT, BSc Computer Science, 2015",
    "",
    "Skills",
    "Python, Django, PostgreSQL, Kubernetes",
]


def pdf(lines=RESUME_LINES, *, pages=1):
    document = FPDF()
    document.set_font("Helvetica", size=11)
    for _ in range(pages):
        document.add_page()
        for line in lines:
            document.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def two_column_pdf(left, right):
    """Two columns written row by row, left cell then right cell, as many generators do.

    A reader that follows the content stream gets the columns interleaved.
    """
    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=11)
    for index in range(max(len(left), len(right))):
        y = 20 + index * 7
        if index < len(left):
            document.text(12, y, left[index])
        if index < len(right):
            document.text(115, y, right[index])
    return bytes(document.output())


def image_only_pdf():
    picture = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(picture).text((20, 80), "Scanned resume of Jane Doe", fill="black")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    buffer.seek(0)
    document = FPDF()
    document.add_page()
    document.image(buffer, x=10, y=10, w=180)
    return bytes(document.output())


def blank_pdf():
    document = FPDF()
    document.add_page()
    return bytes(document.output())


def encrypted_pdf(password="secret"):  # noqa: S107 - a test file's password
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf())).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def corrupt_pdf():
    good = pdf()
    # The header survives; the objects and cross-reference table are garbage.
    return good[:15] + bytes((byte * 7 + 3) % 256 for byte in good[15:400])


def docx_file(paragraphs=RESUME_LINES, *, table=None):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row_index, row in enumerate(table):
            for col_index, value in enumerate(row):
                grid.cell(row_index, col_index).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def broken_docx():
    """A ZIP that names itself a Word document but whose XML is cut off."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    return buffer.getvalue()


def odt_file(paragraphs):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        + "".join(f"<text:p>{paragraph}</text:p>" for paragraph in paragraphs)
        + "</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def png_file():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()


RESUME_TEXT = "\n".join(RESUME_LINES)


def text_file(text=RESUME_TEXT, *, encoding="utf-8"):
    return text.encode(encoding)


MB = 1024 * 1024


def deflated_spaces(megabytes):
    """A raw deflate stream of `megabytes` MB of spaces, and its CRC-32, made in milliseconds.

    One MB is compressed once and ended with a full flush (byte-aligned, no
    back-references past it), so repeating it is a valid stream of that many MB.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = b" " * MB
    block = compressor.compress(one) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(one, crc)
    return block * megabytes + compressor.flush(), crc


def raw_zip(entries):
    """A zip archive written field by field, so its headers can say what a test wants.

    Each entry is (name, payload, method, crc, size): the payload as stored
    (deflated already for method 8) and the unpacked size the headers claim.
    """
    body, directory = b"", b""
    for name, payload, method, crc, size in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(payload), size,
            len(encoded), 0,
        ) + encoded + payload  # fmt: skip
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(payload), size,
            len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded  # fmt: skip
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(body), 0
    )
    return body + directory + end


def _deflated(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data)


def docx_bomb(megabytes=1024, *, claimed_bytes=None):
    """A DOCX-shaped zip whose document unpacks to `megabytes` MB of spaces (about 1 KB per MB).

    With `claimed_bytes` its headers understate the document's size, as a
    bomb made to slip past a check of the central directory would.
    """
    types = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    types_payload, types_crc = _deflated(types)
    payload, crc = deflated_spaces(megabytes)
    size = megabytes * MB if claimed_bytes is None else claimed_bytes
    return raw_zip(
        [
            ("[Content_Types].xml", types_payload, 8, types_crc, len(types)),
            ("word/document.xml", payload, 8, crc, size),
        ]
    )


def odt_bomb(megabytes=1024):
    mimetype = b"application/vnd.oasis.opendocument.text"
    payload, crc = deflated_spaces(megabytes)
    return raw_zip(
        [
            ("mimetype", mimetype, 0, zlib.crc32(mimetype), len(mimetype)),
            ("content.xml", payload, 8, crc, megabytes * MB),
        ]
    )


def long_pdf(pages):
    """A PDF of `pages` pages with one short line each (about 400 bytes a page)."""
    document = FPDF()
    document.set_font("Helvetica", size=11)
    for number in range(1, pages + 1):
        document.add_page()
        document.cell(0, 7, f"Page {number} of a file that is not a resume")
    return bytes(document.output())
