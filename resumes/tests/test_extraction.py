import pytest

from resumes.extraction import ExtractionError, UnsupportedFile, decode_text, detect_kind, extract
from resumes.tests import files


def kind_of(data):
    import io
    import zipfile

    return detect_kind(data[:8192], lambda: zipfile.ZipFile(io.BytesIO(data)))


def test_it_reads_a_pdf_and_counts_its_pages():
    result = extract("pdf", files.pdf(pages=2))
    assert "jane.doe@example.com" in result.text
    assert "Senior Backend Engineer" in result.text
    assert result.page_count == 2


def test_it_reads_a_two_column_pdf_one_column_after_the_other():
    left = ["Experience", "Acme Corp 2019-2024", "Built payment services"]
    right = ["Skills", "Python and Go", "Kubernetes"]
    text = extract("pdf", files.two_column_pdf(left, right)).text
    positions = [text.index(line) for line in left + right]
    # Every left-column line comes before every right-column line, each in order.
    assert positions == sorted(positions)


def test_it_reads_accented_latin_text_from_a_pdf():
    text = extract("pdf", files.pdf(["José Müller-Øvergård", "Zürich, Françoise"])).text
    assert "José Müller-Øvergård" in text
    assert "Zürich, Françoise" in text


def test_it_reads_a_docx_with_unicode_and_tables():
    data = files.docx_file(
        ["李小龍 (Bruce Lee)", "Ingénieure logicielle à Montréal"],
        table=[["Skills", "Python, Ruby"], ["Languages", "日本語, Français"]],
    )
    text = extract("docx", data).text
    assert "李小龍 (Bruce Lee)" in text
    assert "Ingénieure logicielle à Montréal" in text
    assert "Skills | Python, Ruby" in text
    assert "日本語, Français" in text


def test_it_reads_an_odt_document():
    assert extract("odt", files.odt_file(["Renée Dubois", "Paris"])).text == "Renée Dubois\nParis"


def test_it_reads_latin1_and_cp1252_text_files():
    assert decode_text("Renée Zoë Ångström".encode("latin-1")) == "Renée Zoë Ångström"
    # Curly quotes, the euro sign and an en dash exist only in cp1252.
    text = "\u201cJosé\u201d earned \u20ac90k \u2013 2019"
    assert decode_text(text.encode("cp1252")) == text


def test_it_reads_utf8_and_utf16_text_files():
    text = "Zoë 李 résumé"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-16")) == text
    assert extract("txt", b"\xef\xbb\xbf" + text.encode("utf-8")).text == text


def test_it_refuses_an_image_only_pdf_in_plain_words():
    with pytest.raises(ExtractionError) as error:
        extract("pdf", files.image_only_pdf())
    assert str(error.value) == (
        "This PDF contains only images; there's no text to read. Upload a text PDF or a DOCX."
    )


def test_it_rejects_an_encrypted_pdf():
    with pytest.raises(ExtractionError, match="protected with a password"):
        extract("pdf", files.encrypted_pdf())


def test_it_rejects_a_corrupt_pdf():
    with pytest.raises(ExtractionError, match="damaged"):
        extract("pdf", files.corrupt_pdf())


def test_it_rejects_a_corrupt_docx():
    with pytest.raises(ExtractionError, match="damaged"):
        extract("docx", files.broken_docx())


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("pdf", files.blank_pdf()),
        ("docx", files.docx_file([])),
        ("txt", b"   \n\n\t  \n"),
    ],
)
def test_it_rejects_an_empty_document(kind, data):
    with pytest.raises(ExtractionError, match="empty"):
        extract(kind, data)


def test_it_decides_the_type_from_the_content_not_the_name():
    assert kind_of(files.pdf()) == "pdf"
    assert kind_of(files.docx_file(["x"])) == "docx"
    assert kind_of(files.odt_file(["x"])) == "odt"
    assert kind_of("Zoë".encode("latin-1")) == "txt"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (files.png_file(), "a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "an old Word 97-2003 document"),
        (b"{\\rtf1\\ansi hello}", "a Rich Text (RTF) document"),
        (b"\x00\x01\x02\x03binary\x00", "binary data of an unknown type"),
    ],
)
def test_it_names_the_detected_type_of_an_unsupported_file(data, named):
    with pytest.raises(UnsupportedFile) as error:
        kind_of(data)
    assert f"This file is {named}" in str(error.value)


def test_it_names_a_zip_archive_that_is_not_a_document():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"...")
    with pytest.raises(UnsupportedFile, match="a ZIP archive, not a document"):
        kind_of(buffer.getvalue())
