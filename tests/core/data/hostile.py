"""A corpus of hostile uploads, generated into a folder (never committed: some are tens of MB).

Each case is a file a shop owner (or someone else) could hand to `ingest`: broken encodings, absurd
sizes, damaged structure, implausible values and awkward file names. `build(folder)` writes them all
and returns one `Case` per file; the corpus test feeds each one to the CLI.

`expect` is what the file must end in: "refused" (exit 2, one line naming the file, workspace
unchanged), "loaded" (exit 0), or "either" where the value rules (being settled in ingest) decide
between loading, rejecting rows and refusing. `heavy` marks the cases that cost time or memory when
not refused early: the test runs those in a subprocess and bounds its peak memory.
"""

from __future__ import annotations

import random
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.xlsx import CONTENT_TYPES, ROOT_RELS, WORKBOOK, WORKBOOK_RELS, write_xlsx

HEADER = "order_id,customer_id,order_time,order_total,sku,product_name,quantity,unit_price"
COLUMNS = HEADER.count(",") + 1
ZIP_BOMB_EXPANDED = 1_600 << 20  # what the bomb's sheet expands to: the case was 1.5 GiB


def row(i: int, *, name: str = "Towel", total: str = "129", quantity: str = "1", price: str = "129",
        time: str = "2025-11-01 10:00:00") -> str:
    return f"SO{i:06d},C{i % 50:04d},{time},{total},HM{i % 7:03d},{name},{quantity},{price}"


def orders(rows: list[str] | None = None, header: str = HEADER) -> str:
    rows = rows if rows is not None else [row(i) for i in range(1, 6)]
    return "\n".join([header, *rows]) + "\n"


def one_bad(**values) -> str:
    """Five good lines and, third, one line with `values` in its columns."""
    return orders([row(1), row(2), row(3, **values), row(4), row(5)])


@dataclass
class Case:
    name: str  # the test id
    group: str  # encoding, size, structure, binary, xlsx, value, name
    file_name: str
    make: Callable[[Path], None]  # writes the file at the given path
    expect: str = "either"  # refused, loaded or either
    heavy: bool = False

    def build(self, folder: Path) -> Path:
        path = folder / self.name / self.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.make(path)
        return path


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _text(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(text.encode(encoding))


def _rows_xlsx(rows: list[list]) -> Callable[[Path], None]:
    return lambda path: write_xlsx(path, rows)


def _zip(members: dict[str, bytes]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    return make


def _zip_bomb(path: Path, expanded: int = ZIP_BOMB_EXPANDED) -> None:
    """A real workbook whose sheet XML expands to `expanded` bytes, written in about 2 MB.

    One megabyte of repetitive rows is deflated once (a full flush makes the block stand alone) and the
    compressed block repeated: the archive is valid and its sizes and CRC are true, but it costs only
    the CRC pass to make, not a gigabyte and a half of compression."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    cell = b'<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>'
    block = cell * ((1 << 20) // len(cell))
    repeats = (expanded - len(head) - len(tail)) // len(block)
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    repeated = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    end = squeeze.compress(tail) + squeeze.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + repeats * len(block) + len(tail)
    compressed = len(start) + repeats * len(repeated) + len(end)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)):
            archive.writestr(name, text)
    # Append the big member by hand (zip64 sizes), then rewrite the central directory.
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=(2025, 11, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size, info.compress_size, info.CRC = size, compressed, crc
        info.flag_bits = 0
        archive.fp.seek(archive.start_dir)
        info.header_offset = archive.fp.tell()
        archive.fp.write(info.FileHeader(zip64=True))
        archive.fp.write(start)
        for _ in range(repeats):
            archive.fp.write(repeated)
        archive.fp.write(end)
        archive.start_dir = archive.fp.tell()
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info
        archive._didModify = True


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


def _random_bytes(size: int, seed: int = 15) -> bytes:
    return random.Random(seed).randbytes(size)


def _wide_header(columns: int) -> Callable[[Path], None]:
    header = ",".join(f"c{i}" for i in range(columns))
    return _text(header + "\n" + ",".join("1" for _ in range(columns)) + "\n")


def _single_line(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as out:
            out.write(HEADER.encode() + b"\n")
            chunk = b"x" * (1 << 20)
            for _ in range(size >> 20):
                out.write(chunk)
            out.write(b"\n")
    return make


def _many_lines(lines: int, line: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            out.write(HEADER + "\n")
            for i in range(lines):
                out.write(line.format(i=i) + "\n")
    return make


def _name_case(name: str, file_name: str, expect: str = "either") -> Case:
    return Case(name, "name", file_name, _text(orders()), expect)


def cases() -> list[Case]:
    chinese = orders([row(i, name=n) for i, n in enumerate(["白色毛巾套装", "黑色双肩包", "测试商品", "谢谢惠顾", "茶叶"], 1)])
    japanese = orders([row(i, name=n) for i, n in enumerate(["東京タワーのお土産", "ありがとうございます", "日本語の商品名", "テスト商品", "お茶"], 1)])
    utf8 = chinese.encode()
    broken = utf8[:-20] + b"\xff\xfe" + utf8[-20:]  # a stray pair of bytes no UTF-8 text has
    truncated = utf8.replace("双肩包".encode(), "双肩包".encode()[:-1])  # a character cut in half
    mixed = utf8 + "".join(row(i, name="退款商品") + "\n" for i in range(6, 9)).encode("gbk")
    latin = "".join(row(i, name="Caf\u00e9") + "\n" for i in range(6, 9))
    mixed_latin = (orders().encode() + latin.encode() + latin.encode("cp1252"))
    bomb_extra = row(2) + ",x" * 100_000
    cases = [
        # --- encodings ---
        Case("utf8_plain", "encoding", "orders.csv", _text(chinese), "loaded"),
        Case("utf8_bom", "encoding", "orders.csv", _bytes(b"\xef\xbb\xbf" + utf8), "loaded"),
        Case("gbk", "encoding", "orders.csv", _text(chinese, "gbk"), "loaded"),
        Case("utf16_bom", "encoding", "orders.csv", _text(chinese, "utf-16"), "loaded"),
        Case("utf16le_no_bom", "encoding", "orders.csv", _text(chinese, "utf-16-le"), "loaded"),
        Case("utf16be_no_bom", "encoding", "orders.csv", _text(chinese, "utf-16-be"), "loaded"),
        Case("cp1252", "encoding", "orders.csv", _text(orders([row(1, name="Caf\u00e9 cr\u00e8me")]), "cp1252"), "loaded"),
        Case("invalid_utf8_stray_bytes", "encoding", "orders.csv", _bytes(broken), "refused"),
        Case("invalid_utf8_cut_character", "encoding", "orders.csv", _bytes(truncated), "refused"),
        Case("bom_then_gbk", "encoding", "orders.csv", _bytes(b"\xef\xbb\xbf" + chinese.encode("gbk")), "refused"),
        Case("shift_jis", "encoding", "orders.csv", _text(japanese, "shift_jis"), "refused"),
        Case("euc_kr", "encoding", "orders.csv", _text(orders([row(1, name="감사합니다"), row(2, name="한국어 상품")]), "euc-kr"), "refused"),
        Case("utf8_then_gbk", "encoding", "orders.csv", _bytes(mixed), "refused"),
        Case("utf8_then_cp1252", "encoding", "orders.csv", _bytes(mixed_latin), "refused"),
        # 0x81 is no cp1252 letter, but 0x81 0x6C is a valid GB18030 character: read as GB18030 (garbled)
        Case("ascii_with_undefined_cp1252_byte", "encoding", "orders.csv", _bytes(orders().encode().replace(b"Towel", b"Tow\x81l", 1)), "either"),
        Case("trailing_empty_fields", "structure", "orders.csv", _text(orders([row(i) + "," * 50 for i in range(1, 6)])), "loaded"),
        Case("random_bytes", "encoding", "orders.csv", _bytes(_random_bytes(64 << 10)), "refused"),
        # --- sizes ---
        Case("empty", "size", "orders.csv", _bytes(b""), "refused"),
        Case("header_only", "size", "orders.csv", _text(HEADER + "\n"), "refused"),
        Case("header_without_newline", "size", "orders.csv", _text(HEADER), "refused"),
        Case("only_newlines", "size", "orders.csv", _text("\n" * 1000), "refused"),
        Case("only_spaces", "size", "orders.csv", _text(" " * 1000), "refused"),
        Case("huge_header_field", "size", "orders.csv", _text(orders(header=HEADER + "," + "h" * (200 << 10))), "refused", heavy=True),
        Case("header_3000_columns", "size", "orders.csv", _wide_header(3000), "refused"),
        Case("header_100k_columns", "size", "orders.csv", _wide_header(100_000), "refused", heavy=True),
        Case("line_with_100k_extra_fields", "size", "orders.csv", _text(orders([row(1), bomb_extra, row(3)])), "refused", heavy=True),
        Case("many_lines_with_extra_fields", "size", "orders.csv", _many_lines(2000, row(0) + ",1" * 1500), "refused", heavy=True),
        Case("single_line_50mb", "size", "orders.csv", _single_line(50 << 20), "refused", heavy=True),
        Case("header_line_2mb", "size", "orders.csv", _text("order_id" + "," * 10 + "x" * (2 << 20) + "\n1,2\n"), "refused", heavy=True),
        Case("value_of_100kb", "size", "orders.csv", _text(one_bad(name="n" * (100 << 10))), "either"),
        # --- structure ---
        Case("nul_in_header", "structure", "orders.csv", _text(orders(header=HEADER.replace("sku", "s\x00ku"))), "refused"),
        Case("nul_in_value", "structure", "orders.csv", _text(one_bad(name="Tow\x00el")), "refused"),
        Case("ragged_rows", "structure", "orders.csv", _text(orders([row(1), row(2) + ",extra,more", "SO000003,C0003", row(4)])), "either"),
        Case("quote_never_closed", "structure", "orders.csv", _text(orders([row(1), row(2, name='"Towel'), row(3), row(4)])), "either"),
        Case("only_delimiters", "structure", "orders.csv", _text(",,,,,,,\n" * 50), "refused"),
        Case("duplicate_header_names", "structure", "orders.csv", _text(orders(header=HEADER.replace("sku", "order_id"))), "either"),
        Case("blank_header_names", "structure", "orders.csv", _text(orders(header=HEADER.replace("sku", "").replace("product_name", ""))), "either"),
        Case("crlf_lines", "structure", "orders.csv", _text(orders().replace("\n", "\r\n")), "loaded"),
        Case("cr_only_lines", "structure", "orders.csv", _text(orders().replace("\n", "\r")), "either"),
        Case("semicolons_decimal_commas", "structure", "orders.csv",
             _text(orders([row(1, total="129,50", price="129,50")], HEADER).replace(",", ";").replace("129;50", "129,50")), "either"),
        Case("sql_in_header", "structure", "orders.csv",
             _text(orders([r + ",1" for r in (row(1), row(2))], HEADER + ',"x""); drop table orders; --"')), "either"),
        Case("newline_in_quoted_header", "structure", "orders.csv", _text(orders(header=HEADER.replace("sku", '"s\nku"'))), "either"),
        # --- binary files named .csv ---
        Case("png_as_csv", "binary", "orders.csv", _bytes(_png()), "refused"),
        Case("pdf_as_csv", "binary", "orders.csv", _bytes(_pdf()), "refused"),
        Case("gzip_as_csv", "binary", "orders.csv", _bytes(b"\x1f\x8b\x08\x00" + _random_bytes(4096)), "refused"),
        Case("zip_as_csv", "binary", "orders.csv", _zip({"orders.csv": orders().encode()}), "refused"),
        Case("docx_as_csv", "binary", "orders.csv", _zip({"[Content_Types].xml": b"x", "word/document.xml": b"x"}), "refused"),
        Case("xlsx_as_csv", "binary", "orders.csv", _rows_xlsx([HEADER.split(","), row(1).split(",")]), "refused"),
        Case("xls_ole_as_csv", "binary", "orders.csv", _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _random_bytes(4096)), "refused"),
        Case("elf_binary_as_csv", "binary", "orders.csv", _bytes(b"\x7fELF\x02\x01\x01\x00" + _random_bytes(4096)), "refused"),
        # --- workbooks ---
        Case("xlsx_ok", "xlsx", "orders.xlsx", _rows_xlsx([HEADER.split(","), *[row(i).split(",") for i in range(1, 6)]]), "loaded"),
        Case("xlsx_zero_rows", "xlsx", "orders.xlsx", _rows_xlsx([]), "refused"),
        Case("xlsx_header_only", "xlsx", "orders.xlsx", _rows_xlsx([HEADER.split(",")]), "refused"),
        Case("xlsx_damaged", "xlsx", "orders.xlsx", _bytes(b"PK\x03\x04" + _random_bytes(2048)), "refused"),
        Case("xlsx_no_sheet", "xlsx", "orders.xlsx", _zip({"[Content_Types].xml": CONTENT_TYPES.encode(), "xl/workbook.xml": WORKBOOK.encode()}), "refused"),
        Case("xlsx_zip_bomb", "xlsx", "orders.xlsx", _zip_bomb, "refused", heavy=True),
        Case("xlsx_formula_cells", "xlsx", "orders.xlsx",
             _rows_xlsx([HEADER.split(","), row(1, name="=cmd|' /C calc'!A0").split(","), row(2, name="@SUM(1+1)").split(",")]), "either"),
        # --- values (the value rules in ingest decide: load, reject rows, or refuse) ---
        Case("nan_amount", "value", "orders.csv", _text(one_bad(total="NaN")), "either"),
        Case("nan_price", "value", "orders.csv", _text(one_bad(price="nan")), "either"),
        Case("inf_amount", "value", "orders.csv", _text(one_bad(total="inf")), "either"),
        Case("minus_inf_price", "value", "orders.csv", _text(one_bad(price="-Infinity")), "either"),
        Case("amount_1e400", "value", "orders.csv", _text(one_bad(total="1e400")), "either"),
        Case("amount_1e308", "value", "orders.csv", _text(one_bad(total="1e308")), "either"),
        Case("negative_zero", "value", "orders.csv", _text(one_bad(total="-0", price="-0.0")), "either"),
        Case("negative_quantity", "value", "orders.csv", _text(one_bad(quantity="-3")), "either"),
        Case("year_10000", "value", "orders.csv", _text(one_bad(time="10000-01-01 00:00:00")), "either"),
        Case("year_294247", "value", "orders.csv", _text(one_bad(time="294247-01-10 04:00:54")), "either"),
        Case("year_9999", "value", "orders.csv", _text(one_bad(time="9999-12-31 23:59:59")), "either"),
        Case("year_0001", "value", "orders.csv", _text(one_bad(time="0001-01-01 00:00:00")), "either"),
        Case("year_1900", "value", "orders.csv", _text(one_bad(time="1900-01-01 00:00:00")), "either"),
        Case("formula_cmd", "value", "orders.csv", _text(one_bad(name="\"=cmd|' /C calc'!A0\"")), "either"),
        Case("formula_at_sum", "value", "orders.csv", _text(one_bad(name="@SUM(1+1)")), "either"),
        Case("markdown_image", "value", "orders.csv", _text(one_bad(name="![x](http://host/p.png)")), "either"),
        Case("html_script", "value", "orders.csv", _text(one_bad(name="<script>alert(1)</script>")), "either"),
        Case("bidi_and_emoji", "value", "orders.csv", _text(one_bad(name="\u202egnp.exe \U0001f600")), "either"),
        # --- names ---
        _name_case("name_255_chars", "o" * 251 + ".csv"),
        Case("name_255_chars_bad_row", "name", "b" * 251 + ".csv", _text(one_bad(total="NaN"))),  # + .rejected.csv: too long
        _name_case("name_255_bytes_chinese", "订" * 83 + ".csv"),
        _name_case("name_unicode", "订单 2025年11月 \U0001f600.csv"),
        _name_case("name_quotes_and_spaces", "o'rders \"x\" ; rm -rf.csv"),
        _name_case("name_separators_replaced", "..\u2215..\u2215etc\u2215passwd \\ x.csv"),
        _name_case("name_control_chars", "ord\ters\x1b[31m.csv"),
        _name_case("name_markdown", "![x](http:\u2215\u2215host\u2215p.png).csv"),
        _name_case("name_leading_dash", "-rf.csv"),
        _name_case("name_no_extension", "orders"),
        Case("name_xlsx_but_csv", "name", "orders.xlsx", _text(orders()), "either"),
    ]
    return cases


def build(folder: Path) -> list[tuple[Case, Path]]:
    """Write every case under `folder`, one sub-folder each (so file names may repeat)."""
    return [(case, case.build(folder)) for case in cases()]

