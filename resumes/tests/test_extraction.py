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


# --- Hostile files: zip bombs and overlong PDFs ---


def peak_memory_of(function):
    """The most memory Python objects took while `function` ran, in bytes."""
    import tracemalloc

    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BOMB = (
    "This file unpacks to more than 50 MB, which no resume needs; it looks like a zip bomb. "
    "Save it again as a normal DOCX or PDF."
)


@pytest.mark.parametrize(("kind", "bomb"), [("docx", files.docx_bomb), ("odt", files.odt_bomb)])
def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(kind, bomb):
    data = bomb(1024)

    def refuse():
        with pytest.raises(ExtractionError) as error:
            extract(kind, data)
        assert str(error.value) == BOMB
        with pytest.raises(UnsupportedFile) as error:
            kind_of(data)
        assert str(error.value) == BOMB

    # The 1 GB inside is never unpacked, not even the first 50 MB.
    assert peak_memory_of(refuse) < 8 * 1024 * 1024


def test_a_bomb_whose_directory_understates_its_size_is_never_unpacked_past_the_claim():
    data = files.docx_bomb(200, claimed_bytes=5000)
    assert kind_of(data) == "docx"

    def refuse():
        with pytest.raises(ExtractionError, match="damaged"):
            extract("docx", data)

    assert peak_memory_of(refuse) < 8 * 1024 * 1024


def test_one_part_past_the_part_cap_is_refused(settings):
    settings.RESUME_MAX_UNPACKED_PART_MB = 2
    with pytest.raises(ExtractionError) as error:
        extract("docx", files.docx_bomb(3))
    assert str(error.value) == (
        "One part of this file unpacks to more than 2 MB, which no resume needs; it looks like "
        "a zip bomb. Save it again as a normal DOCX or PDF."
    )


def test_a_part_compressed_past_the_ratio_is_refused_even_under_the_caps():
    # 10 MB of spaces pack to about 10 KB: 1000 to 1.
    with pytest.raises(ExtractionError, match="compressed more than 100 to 1"):
        extract("docx", files.docx_bomb(10))


def test_what_is_unpacked_is_counted_against_the_archives_budget(settings):
    import io
    import zipfile

    from resumes.extraction import archive_check, read_part

    settings.RESUME_MAX_UNPACKED_MB = 3
    settings.RESUME_MAX_COMPRESSION_RATIO = 10_000
    archive = zipfile.ZipFile(io.BytesIO(files.docx_bomb(2)))
    budget = archive_check(archive)
    document = archive.getinfo("word/document.xml")
    assert len(read_part(archive, document, budget)) == 2 * files.MB
    # Whatever the directory said, the bytes read so far are spent.
    with pytest.raises(ExtractionError, match="unpacks to more than 3 MB"):
        read_part(archive, document, budget, keep=False)


def test_a_password_protected_or_oddly_packed_archive_is_refused_in_words():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UnsupportedFile, match="compression method that Word and LibreOffice"):
        kind_of(buffer.getvalue())
    locked = bytearray(files.docx_file())
    # Set the "encrypted" flag of every entry in the central directory.
    start = 0
    while (start := locked.find(b"PK\x01\x02", start)) != -1:
        locked[start + 8] |= 0x1
        start += 4
    with pytest.raises(ExtractionError, match="protected with a password"):
        extract("docx", bytes(locked))


def test_a_normal_docx_with_a_large_well_packed_part_is_still_read():
    # Half a megabyte of spaces packs 1000 to 1 too, but is too small to hurt.
    data = files.docx_file(["Jane Doe", " " * (512 * 1024), "Python"])
    assert "Python" in extract("docx", data).text


def test_a_pdf_over_the_page_limit_is_refused_before_its_pages_are_read(settings, monkeypatch):
    import pdfminer.high_level

    settings.RESUME_MAX_PDF_PAGES = 3
    assert extract("pdf", files.pdf(pages=3)).page_count == 3

    def must_not_run(*args, **kwargs):
        raise AssertionError("the pages were read")

    monkeypatch.setattr(pdfminer.high_level, "extract_text", must_not_run)
    with pytest.raises(ExtractionError) as error:
        extract("pdf", files.pdf(pages=4))
    assert str(error.value) == (
        "This PDF has 4 pages, more than the 3 a resume may have here, so its text was not "
        "read. Upload only the pages of the resume."
    )


def test_the_page_limit_is_30_unless_set():
    from resumes.extraction import setting

    assert setting("RESUME_MAX_PDF_PAGES") == 30
