"""Encoding and separator sniffing for delimited survey files (:mod:`textmine.survey.formats`)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

from textmine.config import check_encoding
from textmine.errors import InputFileError, OptionError

SUPPORTED_HINT = ".csv, .tsv, .txt, .xlsx, .ods, .parquet, .sav or .dta"
#: Separators tried by the sniffer, in order of preference on ties.
SEPARATORS = (";", ",", "\t", "|")
#: Share of control characters above which decoded text is taken for a binary file.
_MAX_CONTROL_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Bytes 0x80-0x9F that cp1252 leaves undefined.
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


#: Characters of French (and other Latin-script) text: ASCII, Latin-1 to Latin Extended-B,
#: general punctuation, the euro sign.
_LATIN_TEXT = re.compile(r"[\x00-\u024f\u2000-\u206f\u20ac]*")


def detect_encoding(data: bytes, *, name: str = "the file") -> str:
    """Return the encoding of ``data``: ``utf-8-sig``, ``utf-16``, ``utf-8``, ``cp1252`` or
    ``latin-1`` (see the module docstring for the rule).

    Raises
    ------
    InputFileError
        Some lines are UTF-8 with accents and others are not (``name`` is used in the message).
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    _refuse_mixed_encoding(data, name)
    high = {b for b in set(data) if 0x80 <= b <= 0x9F}
    if high and not high & _CP1252_UNDEFINED:
        return "cp1252"
    return "latin-1"


def _refuse_mixed_encoding(data: bytes, name: str) -> None:
    """Raise if ``data`` has both UTF-8 lines with accents and lines that are not UTF-8."""
    first_bad = None
    has_utf8 = False
    for number, line in enumerate(data.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            # Only Latin text counts as evidence of UTF-8: a cp1252 line such as "çœ«" is by
            # chance valid UTF-8 ("眫"), and must not make the rest of the file look mixed.
            decoded = line.decode("utf-8")
            has_utf8 = has_utf8 or _LATIN_TEXT.fullmatch(decoded) is not None
        except UnicodeDecodeError:
            first_bad = first_bad or number
        if has_utf8 and first_bad:
            raise InputFileError(
                f"{name} mixes encodings: line {first_bad} is not UTF-8 while other lines are; "
                "re-save the file as UTF-8 or pass --encoding."
            )


def decode_text(data: bytes, name: str, forced: str | None) -> tuple[str, str]:
    if forced:
        check_encoding(forced)
        encoding = forced
    else:
        if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise InputFileError(
                f"{name} contains NUL bytes: it is a binary file, not a text table; "
                f"give a {SUPPORTED_HINT} file."
            )
        encoding = detect_encoding(data, name=name)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"Cannot decode {name} as {encoding} (byte 0x{data[exc.start]:02x} at position "
            f"{exc.start}); give another --encoding (e.g. cp1252) or leave it out to detect it."
        ) from None
    text = text.lstrip("\ufeff")
    # csv/pandas choke on old-Mac CR-only line ends ("new-line character seen in unquoted
    # field"): one convention for all.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    n_control = len(_CONTROL.findall(text[:200_000]))
    if n_control > _MAX_CONTROL_SHARE * min(len(text), 200_000):
        raise InputFileError(
            f"{name} does not look like a text table ({n_control} control characters); "
            f"give a {SUPPORTED_HINT} file."
        )
    return text, encoding


def normalise_sep(sep: str) -> str:
    """Return the one-character separator meant by ``sep`` (``tab`` and ``\\t`` mean a tab)."""
    if sep.lower() in ("tab", "\\t", "\t"):
        return "\t"
    if len(sep) != 1:
        raise OptionError(
            f"Separator '{sep}' must be one character; use one of , ; | or tab."
        )
    return sep


#: Characters of records (after the header) read to choose the separator.
SNIFF_CHARS = 64 * 1024


@contextmanager
def _field_limit(n_chars: int) -> Iterator[None]:
    """Let :mod:`csv` read fields of up to ``n_chars`` characters (its default stops at 128 KiB,
    which a long quoted answer passes), restoring the previous limit afterwards."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, n_chars + 1))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def head_records(text: str, sep: str, *, max_chars: int = SNIFF_CHARS) -> list[list[str]]:
    """Return the first non-empty records of delimited ``text``, each one whole.

    The header record is always read whole, however long (a LimeSurvey export of 700 questions
    has a header line of ~80 KB); after it, records are read until they hold ``max_chars``
    characters, and the last one is always complete (a quoted answer spanning lines is never
    cut), so field counts are never taken from a cut record.

    Parameters
    ----------
    text : str
        The decoded file, line ends normalised to ``\\n``.
    sep : str
        One-character separator.
    max_chars : int
        Characters of records to read after the header.

    Returns
    -------
    list of list of str
        The records (empty records skipped); ``[]`` when ``sep`` cannot parse the text.
    """
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in io.StringIO(text):
            consumed += len(line)
            yield line

    rows: list[list[str]] = []
    header_chars = 0
    with _field_limit(len(text)):
        try:
            for row in csv.reader(lines(), delimiter=sep):
                if not row:
                    continue
                rows.append(row)
                if len(rows) == 1:
                    header_chars = consumed
                elif consumed - header_chars >= max_chars:
                    break
        except csv.Error:
            return []
    return rows


def sniff_separator(text: str, *, max_chars: int = SNIFF_CHARS) -> str | None:
    """Return the separator of delimited ``text``, or ``None`` for a single column.

    Each candidate is scored on the whole records of :func:`head_records` (the header, then
    about ``max_chars`` characters of data records) by the share of data rows having between 2
    fields and the header's field count, then by the share having exactly the header's count
    (quote-aware, with :mod:`csv`); candidates that do not split the header, or fit fewer than
    half the rows, are out.
    """
    best: tuple[float, float, int, int] | None = None
    chosen = None
    for pref, sep in enumerate(SEPARATORS):
        rows = head_records(text, sep, max_chars=max_chars)
        if not rows or len(rows[0]) < 2:
            continue
        n_fields = len(rows[0])
        counts = [len(r) for r in rows[1:]] or [n_fields]
        # Short rows are fine (trailing empty fields left out, pandas fills them in); rows
        # longer than the header are not.
        fits = sum(2 <= c <= n_fields for c in counts) / len(counts)
        exact = sum(c == n_fields for c in counts) / len(counts)
        score = (round(fits, 2), round(exact, 2), n_fields, -pref)
        if fits >= 0.5 and (best is None or score > best):
            best, chosen = score, sep
    return chosen
