"""Reading uploads: encodings, delimiters and workbooks, each edge case in a tiny file."""

from __future__ import annotations

import codecs

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


# --- refusals before DuckDB reads the file (limits in docs/decisions/0008-upload-limits.md) ---

CHINESE = "订单编号,买家会员名,宝贝标题\n1,小王,白色毛巾套装\n2,张三丰,黑色双肩包\n3,李四,测试商品\n"


def refusal(tmp_path, data: bytes, name: str = "f.csv") -> sources.SourceError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(sources.SourceError) as caught:
        sources.prepare(path, tmp_path)
    return caught.value


def test_a_utf8_file_with_a_bad_byte_is_refused_naming_line_and_byte(tmp_path):
    # edge case: the bad byte comes after valid Chinese UTF-8 text, so it is damage, not another encoding
    data = CHINESE.encode()
    bad = data.index("测".encode())  # line 4 starts with "3,李四," then 测
    error = refusal(tmp_path, data[:bad] + b"\xff" + data[bad + 1:])
    assert (error.key, error.params["line"], error.params["byte"]) == ("error.bad_utf8", 4, bad)
    assert str(error).startswith(f"f.csv: line 4 is not valid UTF-8 (byte {bad})")


def test_a_gbk_file_behind_a_utf8_bom_is_refused_not_a_traceback(tmp_path):
    # edge case: the BOM promises UTF-8; the first GBK byte is the header's first character, line 1, byte 3
    error = refusal(tmp_path, b"\xef\xbb\xbf" + CHINESE.encode("gbk"))
    assert (error.key, error.params["line"], error.params["byte"]) == ("error.bad_utf8", 1, 3)


@pytest.mark.parametrize(("encoding", "text", "guess"), [
    ("shift_jis", "注文番号,商品名\n1,東京タワーのお土産\n2,ありがとうございます\n3,日本語の商品名\n", "Japanese"),
    ("euc-kr", "order_id,name\n1,감사합니다\n2,한국어 상품\n3,안녕하세요 고객님\n", "Korean"),
])
def test_japanese_and_korean_files_are_not_read_as_gbk(tmp_path, encoding, text, guess):
    # edge case: GB18030 decodes these bytes without an error, into nonsense
    error = refusal(tmp_path, text.encode(encoding))
    assert error.key == "error.unknown_encoding" and guess in error.params["guess"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_recognised_by_its_zero_bytes(tmp_path, encoding):
    # edge case: without the mark the zero bytes would otherwise be read as UTF-8 NULs
    path = tmp_path / "f.csv"
    path.write_bytes("渠道,访客数\nsearch,10\n".encode(encoding))
    source = sources.prepare(path, tmp_path)
    assert source.encoding == encoding and source.csv_path.read_text(encoding="utf-8") == "渠道,访客数\nsearch,10\n"


@pytest.mark.parametrize(("data", "line"), [(b"a,b\x00,c\n1,2,3\n", 1), (b"a,b,c\n1,2,3\n4,\x005,6\n", 3)])
def test_a_nul_byte_is_refused_naming_its_line(tmp_path, data, line):
    # edge case: a NUL in a value, not only in the header
    error = refusal(tmp_path, data)
    assert (error.key, error.params["line"]) == ("error.nul_byte", line)


@pytest.mark.parametrize("mark", [b"", codecs.BOM_UTF8])
def test_a_nul_byte_found_by_the_encoding_scan_is_refused_without_the_row_scan(tmp_path, monkeypatch, mark):
    # edge case: the NUL sits in the last 16-byte chunk of the UTF-8 scan, after Chinese text in the first;
    # the load's prepare (rows=False) learns of it from that scan alone and names its line
    monkeypatch.setattr(sources, "CHUNK", 16)
    path = tmp_path / "f.csv"
    path.write_bytes(mark + "渠道,访客\n".encode() + b"a,1\n" * 9 + b"b,\x002\n")
    monkeypatch.setattr(sources, "_has_nul", lambda csv_path: pytest.fail("bytes read again for a NUL"))
    with pytest.raises(sources.SourceError) as caught:
        sources.prepare(path, tmp_path, rows=False)
    assert (caught.value.key, caught.value.params["line"]) == ("error.nul_byte", 11)


def test_a_line_over_the_limit_is_refused_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 100)
    # edge case: the long line is the last one and has no line break after it
    error = refusal(tmp_path, b"a,b\n1,2\n" + b"x" * 101)
    assert (error.key, error.params["line"]) == ("error.line_too_long", 3)


def test_a_header_over_the_column_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_COLUMNS", 10)
    # edge case: exactly one column too many
    error = refusal(tmp_path, (",".join(f"c{i}" for i in range(11)) + "\n" + "1," * 10 + "1\n").encode())
    assert (error.key, error.params["count"]) == ("error.too_many_columns", 11)


def test_a_column_name_over_the_limit_is_refused_not_a_csv_error(tmp_path):
    # edge case: 200 KB is beyond the csv module's own field limit (128 KB), which raised before
    error = refusal(tmp_path, b"a,b," + b"h" * (200 << 10) + b"\n1,2,3\n")
    assert (error.key, error.params["column"], error.params["length"]) == ("error.header_name_long", 3, 200 << 10)


def test_a_row_far_wider_than_the_header_is_refused_naming_it(tmp_path):
    # edge case: the file: 100,000 extra fields on one line (DuckDB took 419 s and 4.9 GB)
    error = refusal(tmp_path, b"a,b\n1,2\n3,4" + b",x" * 100_000 + b"\n5,6\n")
    assert (error.key, error.params["line"], error.params["count"], error.params["columns"]) == ("error.too_many_fields", 3, 100_002, 2)


def test_many_slightly_wide_rows_are_refused_by_their_total(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_EXTRA_FIELDS", 10)
    # edge case: no single line is over the per-line limit; the 6th line brings the total to 12 > 10
    error = refusal(tmp_path, b"a,b\n" + b"1,2,x,y\n" * 8)
    assert (error.key, error.params["line"], error.params["total"]) == ("error.too_many_fields", 7, 12)


# A file of 200 lines of 10 bytes ("0000,0000\n"; the header too) scanned as two halves (the chunk made tiny
# so a small file is split): the middle, byte 1,000, starts line 101, so the split comes after that line and
# the second half starts with line 102, at byte 1,010.
HALVES = b"".join(b"%04d,%04d\n" % (i, i) for i in range(200))


def refusal_in_halves(tmp_path, monkeypatch, data):
    monkeypatch.setattr(sources, "SCAN_CHUNK", 64)
    path = tmp_path / "halves.csv"
    path.write_bytes(data)
    assert sources._halves(path, b"\n") == [(0, 1010), (1010, 2000)]  # the split these tests rely on
    return refusal(tmp_path, data)


@pytest.mark.parametrize(("where", "line"), [(1005, 101), (1015, 102), (1995, 200)])
def test_a_nul_byte_in_either_half_is_named_by_its_line_in_the_file(tmp_path, monkeypatch, where, line):
    # edge case: the last line of the first half, the first of the second, the file's last
    data = HALVES[:where] + b"\x00" + HALVES[where + 1:]
    error = refusal_in_halves(tmp_path, monkeypatch, data)
    assert (error.key, error.params["line"]) == ("error.nul_byte", line)


def test_extra_fields_are_counted_across_the_halves_from_the_top(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_EXTRA_FIELDS", 3)
    # lines 31 and 151 get two extra fields each (",x,y" for the last 4 characters: same length): neither half
    # alone passes 3; together they reach 4 at line 151
    data = bytearray(HALVES)
    for line in (31, 151):
        start = (line - 1) * 10
        data[start + 5:start + 9] = b",x,y"
    error = refusal_in_halves(tmp_path, monkeypatch, bytes(data))
    assert (error.key, error.params["line"], error.params["total"]) == ("error.too_many_fields", 151, 4)


def test_the_first_problem_in_the_file_wins_over_one_in_the_second_half(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 15)
    # a NUL on line 160 and a 20-byte line 40 (the line break of line 40 removed: lines 40 and 41 are one line)
    data = bytearray(HALVES)
    data[160 * 10 - 5] = 0
    data[40 * 10 - 1] = ord(" ")
    error = refusal_in_halves(tmp_path, monkeypatch, bytes(data))
    assert (error.key, error.params["line"]) == ("error.line_too_long", 40)


def test_quoted_separators_and_trailing_empty_fields_are_no_extra_fields(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_EXTRA_FIELDS", 0)
    # edge case: DuckDB drops trailing empty fields silently; commas inside quotes are text
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\n"x, y, z",2\n3,4,,,\n')
    assert sources.prepare(path, tmp_path).delimiter == ","


def test_a_workbook_named_csv_is_named_for_what_it_is(tmp_path):
    # edge case: the same bytes named .xlsx are read as a workbook (test above)
    path = write_xlsx(tmp_path / "orders.csv", [["a", "b"], [1, 2]])
    with pytest.raises(sources.SourceError) as caught:
        sources.prepare(path, tmp_path)
    assert caught.value.key == "error.not_a_table" and "an Excel workbook (.xlsx)" in str(caught.value)


def test_random_bytes_are_binary_data(tmp_path):
    # edge case: no NUL-free text, no encoding fits
    import random

    error = refusal(tmp_path, random.Random(1).randbytes(4096))
    assert error.key == "error.not_a_table" and "binary data" in str(error)


def test_a_workbook_with_a_zip_bomb_is_refused_from_its_directory(tmp_path, monkeypatch):
    from tests.core.data.hostile import _zip_bomb

    monkeypatch.setattr(sources, "MAX_XLSX_EXPANDED_BYTES", 8 << 20)
    # edge case: the member's size in the directory is true (not forged), 16 MB from a file of about 60 KB
    path = tmp_path / "bomb.xlsx"
    _zip_bomb(path, 16 << 20)
    error = refusal(tmp_path, path.read_bytes(), "bomb.xlsx")
    assert error.key == "error.xlsx_too_big" and path.stat().st_size < 200_000
