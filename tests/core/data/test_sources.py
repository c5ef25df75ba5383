"""Reading uploads: encodings, delimiters and workbooks, each edge case in a tiny file."""

from __future__ import annotations

import pytest

from core.data import sources
from tests.xlsx import write_xlsx


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_encodings_are_detected(tmp_path, encoding, expected):
    path = tmp_path / "f.csv"
    path.write_bytes("订单编号,买家会员名\n1,小王\n2,张三丰\n".encode(encoding))
    assert sources.detect_encoding(path) == expected


def test_gbk_is_transcoded_to_utf8_for_duckdb(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("渠道,访客数\n搜索,10\n".encode("gbk"))
    source = sources.prepare(path, tmp_path)
    assert source.csv_path != path and source.csv_path.read_text(encoding="utf-8") == "渠道,访客数\n搜索,10\n"


def test_plain_utf8_is_handed_over_untouched(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a,b\n1,2\n")
    assert sources.prepare(path, tmp_path).csv_path == path


@pytest.mark.parametrize(("header", "delimiter"), [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a|b|c", "|"), ('"x;y",b', ","), ("single", ",")])
def test_delimiter_comes_from_the_header(header, delimiter):
    assert sources.detect_delimiter(header + "\n") == delimiter


def test_an_empty_file_is_refused_by_name(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(sources.SourceError, match="empty.csv: the file is empty"):
        sources.prepare(path, tmp_path)


def test_a_workbook_expanding_past_the_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "big.xlsx", [["a"], ["x" * 5000]])
    monkeypatch.setattr(sources, "MAX_XLSX_EXPANDED_BYTES", 4000)
    with pytest.raises(sources.SourceError, match="big.xlsx: the workbook expands to"):
        sources.prepare(path, tmp_path)


def test_a_damaged_workbook_gets_a_message(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(sources.SourceError, match="bad.xlsx: not a valid .xlsx workbook"):
        sources.prepare(path, tmp_path)


def test_workbook_cells_become_plain_text(tmp_path):
    # whole numbers lose the spreadsheet's .0; text stays as typed
    path = write_xlsx(tmp_path / "t.xlsx", [["id", "amount", "note"], [12345678901, 12.5, "=not a formula"]])
    source = sources.prepare(path, tmp_path)
    assert source.csv_path.read_text().splitlines() == ["id,amount,note", "12345678901,12.5,=not a formula"]


def test_western_single_byte_files_are_not_mistaken_for_gbk(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("name,city\nJosé,Málaga\nRené,Zürich\n".encode("cp1252"))
    assert sources.detect_encoding(path) == "cp1252"


def _zip(path, names):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return path.read_bytes()


@pytest.mark.parametrize(("content", "en", "zh"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "a PNG image", "PNG 图片"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)), "a JPEG image", "JPEG 图片"),
    (b"GIF89a" + bytes(range(256)), "a GIF image", "GIF 图片"),
    (b"%PDF-1.7\n" + bytes(range(256)), "a PDF document", "PDF 文档"),
    (b"\x1f\x8b\x08\x00" + bytes(range(256)), "a GZIP-compressed file", "GZIP 压缩文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)), "an old Excel (.xls)", "旧版 Excel（.xls）"),
    ("zip", "a ZIP archive", "ZIP 压缩包"),
    ("docx", "a Word document", "Word 文档"),
])
def test_a_binary_file_is_no_text_table_and_says_what_it_looks_like(tmp_path, content, en, zh):
    path = tmp_path / "upload.csv"
    if content == "zip":
        _zip(path, ["orders.csv"])
    elif content == "docx":
        _zip(path, ["[Content_Types].xml", "word/document.xml"])
    else:
        path.write_bytes(content)
    with pytest.raises(sources.SourceError) as caught:
        sources.prepare(path, tmp_path)
    assert caught.value.key == "error.not_a_table"  # not "byte 29 is not valid gb18030"
    assert str(caught.value).startswith(f"upload.csv is not a text table: it looks like {en}")
    assert caught.value.text("zh").startswith(f"upload.csv 不是文本表格：它看起来是{zh}")


def test_a_workbook_is_still_read_as_one(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", [["a", "b"], [1, 2]])
    assert sources.prepare(path, tmp_path).file_type == "xlsx"
