"""Turn an uploaded file into a UTF-8 CSV that DuckDB can read itself.

DuckDB's wheel decodes only UTF-8, UTF-16 and Latin-1 without downloading an extension, and does not
read XLSX offline. So GBK/GB18030 and UTF-16 are transcoded here in chunks, XLSX is read with
calamine, and everything else is handed to DuckDB untouched.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from core.data.messages import LabelledMessage

CHUNK = 1 << 20
# Limits on what an upload may be, each checked on the bytes before DuckDB or calamine reads them; the
# measured cost behind each is in docs/decisions/0008-upload-limits.md.
MAX_XLSX_EXPANDED_BYTES = 512 << 20  # a 1.5 GiB sheet took 93 s and 4.3 GB; 256 MB streams in 5 s, 0.4 GB
MAX_LINE_BYTES = 1 << 20  # no row of a shop export is a megabyte long; DuckDB's own limit is 2 MB
MAX_COLUMNS = 2_000  # a header of 100,000 columns ended in a traceback
MAX_HEADER_NAME_CHARS = 1_000  # a 128 KB column name broke the delimiter check
MAX_EXTRA_FIELDS_PER_LINE = 1_000  # DuckDB keeps one reject entry per extra field, each holding the line:
MAX_EXTRA_FIELDS = 20_000  # 100,000 extra fields on one line took 419 s and 4.9 GB
MAX_REJECT_TEXT_BYTES = 32 << 20  # extra fields times their line's length: the text those entries hold
SCAN_CHUNK = 8 << 20  # the whole file is scanned for the limits above, this much at a time
MIN_UTF8_CHARACTERS = 3  # valid multi-byte characters before the first bad byte: a UTF-8 file, damaged
# Encodings we do not read whose bytes GB18030 decodes anyway; refused when they read the file more
# cleanly than our pick by this margin (real GBK exports scored 0.0 against 0.13 for the next guess).
OTHER_CJK = {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213",
             "iso2022_jp", "cp949", "euc_kr", "johab", "iso2022_kr"}
MIN_CHAOS_MARGIN = 0.05
DELIMITERS = (",", ";", "\t", "|")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")  # a workbook named like one of these was renamed by mistake
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


def _first_bad_utf8(path: Path, start: int = 0) -> tuple[tuple[int, int] | None, bool | None]:
    """(offset of the first byte that is not UTF-8, valid multi-byte characters before it), or None; and
    whether the bytes hold a NUL (None if the scan stopped at a bad byte). One pass answers both: a second
    read of a 330 MB file cost 0.06 s."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, characters, nul = start, 0, False
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(CHUNK):
            nul = nul or b"\0" in chunk
            # ASCII is valid UTF-8 by itself (checked far faster than decoded), unless a multi-byte
            # sequence is still open from the previous chunk.
            if chunk.isascii() and not decoder.getstate()[0]:
                offset += len(chunk)
                continue
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                good = chunk[:max(error.start - pending, 0)]
                characters += len(good) - len(good.decode("utf-8", "ignore").encode("ascii", "ignore"))
                return (offset + max(error.start - pending, 0), characters), None
            characters += len(text) - len(text.encode("ascii", "ignore"))
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return (offset - len(decoder.getstate()[0]), characters), None
    return None, nul


def _line_of(path: Path, offset: int) -> int:
    """The 1-based line holding byte `offset` (of a byte-oriented text: UTF-8, GBK, cp1252)."""
    line, done = 1, 0
    with path.open("rb") as handle:
        while done < offset and (chunk := handle.read(min(SCAN_CHUNK, offset - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _bad_utf8(path: Path, name: str, offset: int) -> SourceError:
    return SourceError("error.bad_utf8", file=name, line=_line_of(path, offset), byte=offset)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 saved without its byte-order mark: ASCII letters, digits and separators then have a zero
    byte beside them, always on the same side (odd positions for little-endian)."""
    sample = head[:4096] if len(head) % 2 == 0 else head[:min(4096, len(head) - 1)]
    if b"\x00" not in sample or len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enough = max(len(sample) // 8, 8)  # a quarter of the characters ASCII; a stray NUL or two is no pattern
    if odd >= enough and even <= odd // 20:
        return "utf-16-le"
    if even >= enough and odd <= even // 20:
        return "utf-16-be"
    return None


def detect_encoding(path: Path, name: str | None = None) -> str:
    """UTF-8 (with or without BOM) when the bytes allow it; else a BOM; else charset-normalizer's guess
    among the encodings shop exports come in. Refuses a UTF-8 file with bad bytes, and a file in an
    encoding we do not read (Shift-JIS would otherwise decode as GB18030 into nonsense)."""
    return _encoding_and_nul(path, name or path.name)[0]


def _encoding_and_nul(path: Path, name: str) -> tuple[str, bool | None]:
    """detect_encoding, and whether a UTF-8 file holds a NUL (None when not known: other encodings)."""
    with path.open("rb") as handle:
        head = handle.read(CHUNK)
    if head.startswith(codecs.BOM_UTF8):
        bad, nul = _first_bad_utf8(path, len(codecs.BOM_UTF8))
        if bad:  # the mark says UTF-8, the bytes say otherwise (a GBK file behind a UTF-8 BOM)
            raise _bad_utf8(path, name, bad[0])
        return "utf-8-sig", nul
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    if utf16 := _utf16_without_bom(head):
        return utf16, None
    bad, nul = _first_bad_utf8(path)
    if bad is None:
        return "utf-8", nul
    offset, characters = bad
    if characters >= MIN_UTF8_CHARACTERS:  # UTF-8 text up to here: damaged, or another encoding mixed in
        raise _bad_utf8(path, name, offset)
    from charset_normalizer import from_bytes

    sample = head
    if offset >= len(head):  # ASCII up to a point past the head: judge the bytes from there
        with path.open("rb") as handle:
            handle.seek(max(offset - 1024, 0))
            sample = handle.read(CHUNK)
    # Only the encodings shop exports really come in: left free, the detector read a short GBK file
    # as UTF-16. GB18030 is GBK's superset and decodes every GBK file.
    best = from_bytes(sample, cp_isolation=["gb18030", "big5", "cp1252"]).best()
    # Japanese and Korean bytes mostly decode as GB18030 too, into nonsense: ask the detector freely
    # whether one of those reads the bytes more cleanly (its "chaos" is the share of odd characters).
    guess = from_bytes(sample).best()
    if guess is None and best is None:
        raise _not_a_table(name, "file_kind.binary")
    if best is None or (guess.encoding in OTHER_CJK and guess.chaos + MIN_CHAOS_MARGIN <= best.chaos):
        raise SourceError("error.unknown_encoding", file=name, guess=f"{guess.encoding}, {guess.language}")
    return best.encoding, None


def transcode(path: Path, encoding: str, target: Path, name: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, lines = 0, 1
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                # the line: those decoded so far, and those before the bad byte in this chunk
                line = lines + (0 if "16" in encoding else chunk[:max(error.start, 0)].count(b"\n"))
                raise SourceError("error.bad_encoding", file=name, byte=offset + error.start, encoding=encoding,
                                  line=line) from None
            lines += text.count("\n")
            out.write(text)
            offset += len(chunk)
        try:
            out.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            raise SourceError("error.bad_encoding", file=name, byte=offset, encoding=encoding, line=lines) from None


def _fields(line: str, delimiter: str) -> list[str]:
    """A line's fields as CSV quoting splits them; a plain split when a field is beyond csv's own limit."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def detect_delimiter(header_line: str) -> str:
    """The separator that splits the header most; DuckDB's sniffer can settle on one text column."""
    counts = {d: len(_fields(header_line, d)) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


_QUOTED = re.compile(rb'"[^"]*"')


def _extra_fields(line: bytes, delimiter: bytes, columns: int) -> int:
    """How many fields `line` has beyond the header's: delimiters inside quotes do not count (a quote
    opened on this line and closed on a later one makes the count an overestimate: refused lines are
    checked again with csv). Trailing empty fields do not count: DuckDB drops them without a reject."""
    line = line.rstrip(b"\r").rstrip(delimiter)
    naive = line.count(delimiter) + 1 - columns
    if naive <= 0 or b'"' not in line:
        return max(naive, 0)
    return max(_QUOTED.sub(b"", line).count(delimiter) + 1 - columns, 0)


def check_structure(csv_path: Path, name: str, rows: bool = True, nul: bool | None = None) -> str:
    """Refuse a UTF-8 CSV whose shape would cost DuckDB minutes and gigabytes, before it reads it: NUL
    bytes, over-long lines, too many columns or over-long column names, rows far wider than the header
    (each extra field costs DuckDB a reject entry holding the whole line). Returns the delimiter.

    One pass over the bytes (0.27 s for a 330 MB file of 1M lines, on two cores); line numbers count
    physical lines, the header is line 1. Without `rows` only the header is checked and the bytes searched
    for a NUL (0.03 s): the row limits guard the read that keeps malformed rows aside, and a load reads
    strictly first, so it runs the row scan itself only when that read fails (`check_rows`). `nul`: whether
    the bytes hold a NUL, when the encoding's scan has found out already."""
    with csv_path.open("rb") as handle:
        head = handle.read(MAX_LINE_BYTES + 2)
    head = head.removeprefix(codecs.BOM_UTF8)
    newline = b"\r" if b"\n" not in head and b"\r" in head else b"\n"  # old Mac files end lines with CR alone
    end = head.find(newline)
    if (end if end >= 0 else len(head)) > MAX_LINE_BYTES:
        raise SourceError("error.line_too_long", file=name, line=1, limit=MAX_LINE_BYTES >> 20)
    header_line = head[:end if end >= 0 else len(head)].decode("utf-8", "replace")
    if "\x00" in header_line:
        raise SourceError("error.nul_byte", file=name, line=1)
    delimiter = detect_delimiter(header_line)
    header = _fields(header_line.rstrip("\r"), delimiter)
    if len(header) > MAX_COLUMNS:
        raise SourceError("error.too_many_columns", file=name, count=len(header), limit=MAX_COLUMNS)
    for index, column in enumerate(header, 1):
        if len(column) > MAX_HEADER_NAME_CHARS:
            raise SourceError("error.header_name_long", file=name, column=index, length=len(column), limit=MAX_HEADER_NAME_CHARS)
    if rows or (_has_nul(csv_path) if nul is None else nul):  # a NUL is named by its line as the full scan finds it
        _check_rows(csv_path, name, delimiter, len(header), newline)
    return delimiter


def check_rows(source: Source, name: str) -> None:
    """The row limits of check_structure, for a file prepared without them: before DuckDB reads it keeping
    malformed rows aside (each extra field is a reject entry holding its whole line)."""
    check_structure(source.csv_path, name, rows=True)


def _has_nul(csv_path: Path) -> bool:
    """DuckDB reads a NUL into the text of a value without complaint; a shop export never has one."""
    with csv_path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK):
            if b"\0" in chunk:
                return True
    return False


@dataclass
class _Part:
    """What one stretch of lines held: its line count, its lines with extra fields (line within the part,
    extra fields, length, fields), and the first hard error (line within the part, catalog key, params)."""

    lines: int = 0
    wide: list[tuple[int, int, int, int]] = field(default_factory=list)
    error: tuple[int, str, dict] | None = None


def _scan_part(csv_path: Path, start: int, stop: int, last: bool, delimiter: str, columns: int, newline: bytes) -> _Part:
    """Lines from byte `start` to `stop` (both at a line start), a chunk at a time, counted with numpy
    (Python loops over a million lines took 0.75 s): lengths, NUL bytes, lines with more separators
    than the header has. Stops at the first hard error or once the extra fields alone pass a limit."""
    import numpy as np

    part = _Part()
    separator, sep = ord(delimiter), delimiter.encode()
    extra_total = reject_text = 0
    carry = b""
    with csv_path.open("rb") as handle:
        handle.seek(start)
        left = stop - start
        while True:
            chunk = handle.read(min(SCAN_CHUNK, left))
            left -= len(chunk)
            if not chunk and not (last and carry):
                return part
            data = carry + chunk if chunk else carry + newline  # the last line, ended for the count
            buffer = np.frombuffer(data, dtype=np.uint8)
            ends = np.flatnonzero(buffer == newline[0])
            if b"\0" in data:
                nul = data.index(b"\0")
                part.error = (part.lines + int(np.searchsorted(ends, nul)), "error.nul_byte", {})
                return part
            starts = np.concatenate(([0], ends[:-1] + 1))
            lengths = ends - starts
            carry = data[ends[-1] + 1:] if len(ends) else data
            long = np.flatnonzero(lengths > MAX_LINE_BYTES)
            if len(long) or len(carry) > MAX_LINE_BYTES:
                line = part.lines + (int(long[0]) if len(long) else len(ends))
                part.error = (line, "error.line_too_long", {"limit": MAX_LINE_BYTES >> 20})
                return part
            before_end = np.searchsorted(np.flatnonzero(buffer == separator), ends)  # separators before each line end
            for index in np.flatnonzero(np.diff(before_end, prepend=0) >= columns).tolist():
                if start == 0 and part.lines + index == 0:  # the header's own line
                    continue
                line = data[starts[index]:ends[index]]
                extra = _extra_fields(line, sep, columns)
                if extra:
                    count = len(_fields(line.rstrip(b"\r").rstrip(sep).decode("utf-8", "replace"), delimiter))
                    part.wide.append((part.lines + index, extra, len(line), count))
                    extra_total += extra
                    reject_text += extra * len(line)
                    if extra > MAX_EXTRA_FIELDS_PER_LINE or extra_total > MAX_EXTRA_FIELDS or reject_text > MAX_REJECT_TEXT_BYTES:
                        return part
            part.lines += len(ends)
            if not chunk:
                return part


def _halves(csv_path: Path, newline: bytes) -> list[tuple[int, int]]:
    """The file as two stretches of whole lines, split at the first line end after its middle (one
    stretch when the file is small or no line ends near the middle)."""
    size = csv_path.stat().st_size
    if size < 2 * SCAN_CHUNK:
        return [(0, size)]
    with csv_path.open("rb") as handle:
        handle.seek(size // 2)
        after = handle.read(MAX_LINE_BYTES + 1).find(newline)
    if after < 0:
        return [(0, size)]
    middle = size // 2 + after + 1
    return [(0, middle), (middle, size)]


def _check_rows(csv_path: Path, name: str, delimiter: str, columns: int, newline: bytes = b"\n") -> None:
    """The whole file scanned for the limits of check_structure, its two halves at once (numpy gives up
    the GIL: 0.55 s of a 330 MB file's load becomes about 0.3 s on two cores). Problems are reported as
    a scan from the top would: the first in file order, extra fields counted from line 1."""
    from concurrent.futures import ThreadPoolExecutor

    halves = _halves(csv_path, newline)
    with ThreadPoolExecutor(len(halves)) as pool:
        parts = list(pool.map(lambda h: _scan_part(csv_path, h[0], h[1], h[1] == halves[-1][1], delimiter, columns, newline), halves))
    extra_total = reject_text = before = 0  # lines in the parts before
    for part in parts:
        for line, extra, length, count in part.wide:
            extra_total += extra
            reject_text += extra * length
            if extra > MAX_EXTRA_FIELDS_PER_LINE or extra_total > MAX_EXTRA_FIELDS or reject_text > MAX_REJECT_TEXT_BYTES:
                raise SourceError("error.too_many_fields", file=name, line=before + line + 1, count=count,
                                  columns=columns, total=extra_total)
        if part.error is not None:
            line, key, params = part.error
            raise SourceError(key, file=name, line=before + line + 1, **params)
        before += part.lines


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
    """First sheet of a workbook to CSV, row by row, after checking what the archive expands to: the
    members' sizes are in its directory, so a zip bomb is refused before a byte is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):  # damaged directory, or sizes past the file's end
        raise SourceError("error.bad_xlsx", file=name) from None
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise SourceError("error.xlsx_too_big", file=name, size=f"{expanded / 2**30:.1f}",
                          limit=f"{MAX_XLSX_EXPANDED_BYTES / 2**30:.1f}")
    from python_calamine import CalamineWorkbook

    written = 0
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for row in sheet.iter_rows():  # streamed: a list of every row doubled the memory
                if len(row) > MAX_COLUMNS:
                    raise SourceError("error.too_many_columns", file=name, count=len(row), limit=MAX_COLUMNS)
                cells = [_cell_text(v) for v in row]
                if any(cells) or written:  # leading empty rows are no header
                    writer.writerow(cells)
                    written += 1
    except SourceError:
        raise
    except Exception as error:  # calamine raises its own types for damaged workbooks
        raise SourceError("error.xlsx_unreadable", file=name, detail=str(error).splitlines()[0] if str(error) else type(error).__name__) from None
    if not written:
        raise SourceError("error.empty_sheet", file=name)


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


def prepare(path: Path, work_dir: Path, display_name: str | None = None, rows: bool = True) -> Source:
    """Give DuckDB a UTF-8 CSV for any supported upload, or refuse it with a message naming the file;
    `work_dir` holds temporary copies under fixed names (never the user's file name). Without `rows` the
    caller runs `check_rows` before any read that keeps malformed rows aside."""
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
        if name.lower().endswith(TEXT_SUFFIXES):  # a workbook saved or renamed as .csv: say so, do not guess
            raise _not_a_table(name, "file_kind.xlsx")
        target = work_dir / "sheet.csv"
        xlsx_to_csv(path, target, name)
        return Source(target, "xlsx", check_structure(target, name, rows), "xlsx")
    encoding, nul = _encoding_and_nul(path, name)
    csv_path = path
    if encoding not in {"utf-8", "utf-8-sig"}:
        csv_path, nul = work_dir / "transcoded.csv", None
        transcode(path, encoding, csv_path, name)
    return Source(csv_path, encoding, check_structure(csv_path, name, rows, nul), "csv")
