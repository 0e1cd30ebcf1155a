"""Saving openpyxl workbooks byte-identically: same content, same bytes, whatever the clock.

openpyxl stamps every saved workbook with the current time twice: the ``created``/``modified``
dates of ``docProps/core.xml`` (it overwrites ``modified`` while saving) and the date of every zip
member. Two identical runs therefore gave different ``report.xlsx`` and coding sheets.
:func:`save_workbook` saves to memory, then rewrites the zip with one fixed timestamp:
``$SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention), else
:data:`FIXED_TIME`. Member order, names, compression and content are kept.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textmine.outputs import atomic_write

#: Timestamp written into workbooks when ``$SOURCE_DATE_EPOCH`` is not set.
FIXED_TIME = datetime(2000, 1, 1, tzinfo=timezone.utc)
#: Zip dates cannot be earlier than this.
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=timezone.utc)
_CORE = "docProps/core.xml"
_DATE_ELEMENT = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def fixed_time() -> datetime:
    """Return the timestamp of saved workbooks (UTC): ``$SOURCE_DATE_EPOCH`` or :data:`FIXED_TIME`.

    A ``SOURCE_DATE_EPOCH`` that is not an integer number of seconds is ignored.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdecimal():
        try:
            return max(datetime.fromtimestamp(int(raw), tz=timezone.utc), _ZIP_EPOCH)
        except (OverflowError, OSError, ValueError):
            pass
    return FIXED_TIME


def reproducible_zip(data: bytes, when: datetime | None = None) -> bytes:
    """Return the zip ``data`` with every member dated ``when`` and fixed core properties.

    Parameters
    ----------
    data : bytes
        A zip (an ``.xlsx`` written by openpyxl).
    when : datetime, optional
        The timestamp (UTC); :func:`fixed_time` by default.

    Returns
    -------
    bytes
        The same members in the same order, with ``dcterms:created``/``dcterms:modified`` of
        ``docProps/core.xml`` set to ``when``.
    """
    when = when or fixed_time()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    date_time = when.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == _CORE:
                content = _DATE_ELEMENT.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            member.create_system = 0
            dst.writestr(member, content)
    return out.getvalue()


def save_workbook(workbook: Any, path: str | Path) -> Path:
    """Save an openpyxl ``workbook`` to ``path`` so that equal content gives equal bytes.

    Parameters
    ----------
    workbook : openpyxl.Workbook
        The workbook to save.
    path : str or Path
        Destination file (overwritten).

    Returns
    -------
    Path
        ``path``.
    """
    when = fixed_time()
    naive = when.replace(tzinfo=None)
    workbook.properties.created = naive
    workbook.properties.modified = naive
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = Path(path)
    return atomic_write(path, reproducible_zip(buffer.getvalue(), when))
