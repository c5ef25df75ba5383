"""Turn an uploaded file into a UTF-8 CSV that DuckDB can read itself.

DuckDB's wheel decodes only UTF-8, UTF-16 and Latin-1 without downloading an extension, and does not
read XLSX offline. So GBK/GB18030 and UTF-16 are transcoded here in chunks, XLSX is read with
calamine, and everything else is handed to DuckDB untouched.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from core.data.messages import LabelledMessage

CHUNK = 1 << 20
MAX_XLSX_EXPANDED_BYTES = 2 << 30  # an 8.8 MB xlsx once expanded to 275 MB; refuse zip bombs early
DELIMITERS = (",", ";", "\t", "|")
# The first bytes of files people rename to .csv by mistake, and what each one is (a catalog key).
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "file_kind.png"),
    (b"\xff\xd8\xff", "file_kind.jpeg"),
    (b"GIF87a", "file_kind.gif"),
    (b"GIF89a", "file_kind.gif"),
    (b"%PDF-", "file_kind.pdf"),
    (b"\x1f\x8b", "file_kind.gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "file_kind.ole"),  # .xls, .doc: the old Office format
)
ZIPS = (b"PK\x03\x04", b"PK\x05\x06")  # a ZIP archive, or an empty one


class SourceError(LabelledMessage):
    """The file cannot be read; the message names it and says why."""


@dataclass
class Source:
    csv_path: Path  # a UTF-8 CSV DuckDB can read
    encoding: str
    delimiter: str
    file_type: str  # csv or xlsx


def _utf8_ok(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                # ASCII is valid UTF-8 by itself (checked far faster than decoded), unless a multi-byte
                # sequence is still open from the previous chunk.
                if chunk.isascii() and not decoder.getstate()[0]:
                    continue
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes allow it; else a BOM; else charset-normalizer's guess."""
    with path.open("rb") as handle:
        head = handle.read(CHUNK)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _utf8_ok(path):
        return "utf-8"
    from charset_normalizer import from_bytes

    # Only the encodings shop exports really come in: left free, the detector read a short GBK file
    # as UTF-16. GB18030 is GBK's superset and decodes every GBK file.
    best = from_bytes(head, cp_isolation=["gb18030", "big5", "cp1252"]).best()
    return best.encoding if best else "gb18030"


def transcode(path: Path, encoding: str, target: Path, name: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            try:
                out.write(decoder.decode(chunk))
            except UnicodeDecodeError as error:
                raise SourceError("error.bad_encoding", file=name, byte=offset + error.start, encoding=encoding) from None
            offset += len(chunk)
        out.write(decoder.decode(b"", final=True))


def detect_delimiter(header_line: str) -> str:
    """The separator that splits the header most; DuckDB's sniffer can settle on one text column."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _cell_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def xlsx_to_csv(path: Path, target: Path, name: str) -> None:
    """First sheet of a workbook to CSV, after checking what it expands to."""
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SourceError("error.bad_xlsx", file=name) from None
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise SourceError("error.xlsx_too_big", file=name, size=f"{expanded / 2**30:.1f}",
                          limit=f"{MAX_XLSX_EXPANDED_BYTES / 2**30:.0f}")
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=True)
    except Exception as error:  # calamine raises its own types for damaged workbooks
        raise SourceError("error.xlsx_unreadable", file=name, detail=str(error)) from None
    if not rows:
        raise SourceError("error.empty_sheet", file=name)
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for row in rows:
            writer.writerow([_cell_text(v) for v in row])


def _not_a_table(name: str, looks_like: str) -> SourceError:
    return SourceError("error.not_a_table", file=name, labels={"looks_like": looks_like})


def _zip_kind(path: Path) -> str | None:
    """None for a workbook (.xlsx), else what the archive holds: a Word or PowerPoint file, or plain ZIP."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None  # damaged: xlsx_to_csv says it is not a valid workbook
    for folder, kind in (("xl/", None), ("word/", "file_kind.docx"), ("ppt/", "file_kind.pptx")):
        if any(n.startswith(folder) for n in names):
            return kind
    return "file_kind.zip"


def prepare(path: Path, work_dir: Path, display_name: str | None = None) -> Source:
    """Give DuckDB a UTF-8 CSV for any supported upload; `work_dir` holds temporary copies."""
    path = Path(path)
    name = display_name or path.name
    if not path.exists() or path.stat().st_size == 0:
        raise SourceError("error.empty_file", file=name)
    with path.open("rb") as handle:
        magic = handle.read(8)
    # An image or archive is no table: say what it looks like, not which byte fails to decode.
    for start, kind in MAGIC:
        if magic.startswith(start):
            raise _not_a_table(name, kind)
    if magic.startswith(ZIPS):
        kind = _zip_kind(path)
        if kind:
            raise _not_a_table(name, kind)
        target = work_dir / "sheet.csv"
        xlsx_to_csv(path, target, name)
        return Source(target, "xlsx", ",", "xlsx")
    encoding = detect_encoding(path)
    csv_path = path
    if encoding not in {"utf-8", "utf-8-sig"}:
        csv_path = work_dir / "transcoded.csv"
        transcode(path, encoding, csv_path, name)
    with csv_path.open("r", encoding="utf-8-sig", newline="") as handle:
        header_line = handle.readline()
    return Source(csv_path, encoding, detect_delimiter(header_line), "csv")
