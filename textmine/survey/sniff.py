"""Encoding and separator sniffing for delimited survey files (:mod:`textmine.survey.formats`)."""

from __future__ import annotations

import codecs
import csv
import io
import re

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
        try:
            codecs.lookup(forced)
        except LookupError:
            raise OptionError(
                f"Unknown encoding '{forced}'; use for example utf-8, cp1252 or latin-1."
            ) from None
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


def sniff_separator(sample: str, *, truncated: bool = False) -> str | None:
    """Return the separator of delimited ``sample`` text, or ``None`` for a single column.

    Each candidate is scored by the share of data rows having between 2 fields and the header's
    field count, then by the share having exactly the header's count (quote-aware, with
    :mod:`csv`); candidates that do not split the header, or fit fewer than half the rows, are
    out.
    """
    best: tuple[float, float, int, int] | None = None
    chosen = None
    for pref, sep in enumerate(SEPARATORS):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=sep) if r]
        except csv.Error:
            continue
        if truncated and len(rows) > 2:
            rows = rows[:-1]  # the sample may end inside the last record
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


