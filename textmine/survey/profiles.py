"""Platform profiles: the layouts survey platforms give their exports, recognised and undone.

:func:`excel_sep_line` and :func:`apply_profile` run inside
:func:`textmine.survey.formats.read_raw`, on the file's grid of strings before its header is
taken; what they find travels to :mod:`textmine.survey.columns` as a :class:`Detection` (labels,
types, option separators, personal-data columns, multi-column questions). With
``ReadOptions.profile = "auto"`` a profile applies only on **strong evidence** (below); with weak
evidence nothing is said and the file is read as it is. ``none`` turns detection off; a named
profile is applied without asking for evidence. What was detected is said in one line
(``logging`` warning, on stderr with the CLI) and recorded as ``SourceInfo.detected`` (in
``run.json``'s ``input`` block).

Evidence and effect of each profile
-----------------------------------
Excel/LibreOffice ``sep=`` line (any format profile)
    A first line ``sep=;`` (any one character, quoted or not) gives the separator and is skipped.
qualtrics
    At least two Qualtrics metadata columns (``StartDate``, ``ResponseId``, ``Progress``...)
    and, under the header, a row of ``{"ImportId":...}`` cells or a wording row (the metadata
    columns' own names spelt out: ``Start Date``). The wording row becomes the labels; both rows
    are skipped. ``Progress``, ``Duration (in seconds)`` are numeric, other metadata ignored.
surveymonkey
    A second header row with ``Response`` / ``Open-Ended Response`` cells and either a
    ``Respondent ID`` column or a question spanning several columns (blank header cells).
    One header is built from both rows: ``question`` or ``question [option]``; the option
    columns of a question form one multiple-choice question.
limesurvey
    Two or more ``Q5[SQ001]`` columns holding only ``Y``/``Oui`` (ticked), blanks and ``N/A``
    (not shown), or LimeSurvey metadata columns (``submitdate``, ``lastpage``,
    ``startlanguage``...). ``N/A`` becomes missing, so the question is missing for those
    respondents while a blank is "not ticked".
kobo
    Select-multiple columns ``q/option`` (0/1) next to their summary column ``q`` whose cells
    list the ticked options separated by spaces (>= 90 % of rows agree), or three KoboToolbox
    metadata columns (``_uuid``, ``_submission_time``...). ``q`` is one multiple question.
googleforms
    First column ``Horodateur`` / ``Timestamp`` (or ``Horodatage``, ``Marque temporelle``)
    holding dates. Checkbox answers joined by ``, `` become multiple-choice questions whose
    options are learnt from the labels seen alone (an option holding a comma is never split).
msforms
    First column ``ID`` and two of ``Start time``, ``Completion time``, ``Last modified time``
    (or their French names). Cells ending with ``;`` are multiple choice.

Personal data (e-mail, name, IP address, location columns of these platforms) are typed
``ignore`` and flagged: :func:`textmine.survey.open_answers` refuses them (never themed, never
quoted) and ``textmine inspect`` marks them.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from textmine.config import PROFILES

logger = logging.getLogger(__name__)

__all__ = ["PROFILES", "PROFILE_NAMES", "Detection", "apply_profile", "excel_sep_line"]

#: Profile -> the name said to the user.
PROFILE_NAMES = {
    "qualtrics": "Qualtrics export",
    "surveymonkey": "SurveyMonkey export",
    "limesurvey": "LimeSurvey export",
    "googleforms": "Google Forms export",
    "kobo": "KoboToolbox export",
    "msforms": "Microsoft Forms export",
}

_SEP_LINE = re.compile(r'^"?sep=(\\t|[^\n\r])"?(?:\1)*[ \t]*(?:\r?\n|$)')


@dataclass(frozen=True)
class Detection:
    """What a platform profile found in a file and how the columns are to be typed.

    Attributes
    ----------
    profile : str
        The profile applied (``none`` when nothing was detected or detection was turned off).
    detected : str
        One line saying what was detected and done (``""`` when nothing).
    labels : dict of str to str
        Question wording by column (or multiple-choice question) name.
    types : dict of str to str
        Question kinds by column (below the researcher's own ``ReadOptions.types``).
    option_seps : dict of str to str
        Option separator of one-column multiple-choice questions.
    personal : frozenset of str
        Columns holding personal data (typed ``ignore``; never themed, never quoted).
    groups : dict of str to tuple of str
        Multi-column multiple-choice questions (name -> 0/1 option columns).
    summaries : dict of str to str
        Question name -> a column repeating the group's answers as text (KoboToolbox).
    """

    profile: str = "none"
    detected: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    option_seps: dict[str, str] = field(default_factory=dict)
    personal: frozenset[str] = frozenset()
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)


def excel_sep_line(text: str) -> tuple[str, str | None]:
    """Remove an Excel/LibreOffice ``sep=X`` first line; return the text and ``X`` (or ``None``).

    >>> excel_sep_line("sep=;\\nid;reponse\\n")
    ('id;reponse\\n', ';')
    >>> excel_sep_line('"sep=,"\\r\\nid,q\\n')[1]
    ','
    """
    match = _SEP_LINE.match(text.lstrip("\ufeff"))
    if not match:
        return text, None
    sep = "\t" if match[1] == "\\t" else match[1]
    return text.lstrip("\ufeff")[match.end():], sep


# --- helpers on the grid of strings -----------------------------------------------------------

def _norm(cell: object) -> str:
    return " ".join(cell.split()) if isinstance(cell, str) else ""


def _row(grid: pd.DataFrame, i: int) -> list[str]:
    return [_norm(c) for c in grid.iloc[i].tolist()] if len(grid) > i else []


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _values(grid: pd.DataFrame, j: int, start: int = 1) -> list[str]:
    return [v for v in (_norm(c) for c in grid.iloc[start:, j].tolist()) if v]


_DATE_LIKE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


# --- Qualtrics --------------------------------------------------------------------------------

_QUALTRICS_META = {
    "StartDate": "ignore", "EndDate": "ignore", "Status": "ignore", "IPAddress": "ignore",
    "Progress": "numeric", "Duration (in seconds)": "numeric", "Finished": "ignore",
    "RecordedDate": "ignore", "ResponseId": "ignore", "RecipientLastName": "ignore",
    "RecipientFirstName": "ignore", "RecipientEmail": "ignore", "ExternalReference": "ignore",
    "ExternalDataReference": "ignore", "LocationLatitude": "ignore",
    "LocationLongitude": "ignore", "DistributionChannel": "ignore", "UserLanguage": "ignore",
}
_QUALTRICS_PERSONAL = {"IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                       "LocationLatitude", "LocationLongitude"}


def _is_import_id(cell: str) -> bool:
    if not cell.startswith("{"):
        return False
    try:
        value = json.loads(cell)
    except ValueError:
        return False
    return isinstance(value, dict) and "ImportId" in value


def _qualtrics_rows(grid: pd.DataFrame) -> tuple[bool, bool]:
    """(wording row present, ImportId row present) under the header."""
    header, second, third = _row(grid, 0), _row(grid, 1), _row(grid, 2)
    meta = [j for j, h in enumerate(header) if h in _QUALTRICS_META]

    def import_row(row: list[str]) -> bool:
        cells = [c for c in row if c]
        return bool(cells) and sum(_is_import_id(c) for c in cells) >= max(1, len(cells) / 2)

    spelt = sum(1 for j in meta if j < len(second) and second[j]
                and _squash(second[j]).startswith(_squash(header[j])[:6])
                and not _DATE_LIKE.search(second[j]) and not re.fullmatch(r"[\d.]+", second[j]))
    if import_row(second):
        return False, True
    has_import = import_row(third)
    return (has_import or spelt >= 2), has_import


def _qualtrics(grid: pd.DataFrame, forced: bool):
    header = _row(grid, 0)
    if not forced and sum(h in _QUALTRICS_META for h in header) < 2:
        return None
    wording, import_ids = _qualtrics_rows(grid)
    if not forced and not (wording or import_ids):
        return None
    labels: dict[str, str] = {}
    drop = []
    if wording:
        drop.append(1)
        for h, w in zip(header, _row(grid, 1), strict=False):
            if w and w != h:
                labels[h] = w
    if import_ids:
        drop.append(2 if wording else 1)
    out = grid.drop(index=grid.index[drop]).reset_index(drop=True)
    types = {h: k for h, k in _QUALTRICS_META.items() if h in header}
    personal = frozenset(h for h in _QUALTRICS_PERSONAL if h in header)
    said = [f"{len(drop)} extra header row{'s' if len(drop) > 1 else ''} skipped"] if drop else []
    if labels:
        said.append("question wording used as labels")
    return out, Detection("qualtrics", _say("qualtrics", said), labels=labels, types=types,
                          personal=personal)


# --- SurveyMonkey -----------------------------------------------------------------------------

_SM_RESPONSE = {"response", "open-ended response", "réponse", "réponse ouverte",
                "réponse libre"}
_SM_META = {
    "Respondent ID": "ignore", "Collector ID": "ignore", "Start Date": "ignore",
    "End Date": "ignore", "IP Address": "ignore", "Email Address": "ignore",
    "First Name": "ignore", "Last Name": "ignore", "Custom Data 1": "ignore",
    "ID du répondant": "ignore", "ID du collecteur": "ignore", "Date de début": "ignore",
    "Date de fin": "ignore", "Adresse IP": "ignore", "Adresse e-mail": "ignore",
    "Prénom": "ignore", "Nom": "ignore",
}
_SM_PERSONAL = {"IP Address", "Email Address", "First Name", "Last Name", "Adresse IP",
                "Adresse e-mail", "Prénom", "Nom"}


def _surveymonkey(grid: pd.DataFrame, forced: bool):
    header, second = _row(grid, 0), _row(grid, 1)
    if len(grid) < 2:
        return None
    responses = sum(1 for c in second if c.casefold() in _SM_RESPONSE)
    continued = any(not h and j > 0 and second[j] for j, h in enumerate(header))
    ids = any(h in ("Respondent ID", "ID du répondant") for h in header)
    if not forced and not (responses >= 1 and (ids or continued)):
        return None
    names, questions, spans = [], [], {}
    current = ""
    for h in header:
        current = h or current
        questions.append(current)
        spans[current] = spans.get(current, 0) + 1
    labels: dict[str, str] = {}
    for j, q in enumerate(questions):
        sub = second[j] if j < len(second) else ""
        if not sub or sub.casefold() in _SM_RESPONSE or (spans[q] == 1 and q):
            name = q or sub
        elif sub.casefold().startswith(("other (", "autre (")):
            name = f"{q} - {sub}"  # the free text beside the options: not an option column
        else:
            name = f"{q} [{sub}]" if q else sub
        names.append(name)
    out = grid.iloc[1:].reset_index(drop=True).copy()
    out.iloc[0] = names
    types = {h: k for h, k in _SM_META.items() if h in names}
    personal = frozenset(h for h in _SM_PERSONAL if h in names)
    said = ["2 header rows joined into one", "option columns grouped by question"]
    return out, Detection("surveymonkey", _say("surveymonkey", said), labels=labels, types=types,
                          personal=personal)


# --- LimeSurvey -------------------------------------------------------------------------------

_LS_BRACKET = re.compile(r"^(?P<prefix>.+?)\s*\[(?P<option>[^\[\]]+)\]$")
_LS_TICKED = {"y", "oui", "yes"}
_LS_TOKENS = _LS_TICKED | {"n", "non", "no", "n/a"}
_LS_META = {"submitdate": "ignore", "lastpage": "ignore", "startlanguage": "ignore",
            "seed": "ignore", "startdate": "ignore", "datestamp": "ignore", "ipaddr": "ignore",
            "refurl": "ignore", "token": "ignore"}
_LS_PERSONAL = {"ipaddr", "token"}


def _limesurvey(grid: pd.DataFrame, forced: bool):
    header = _row(grid, 0)
    by_prefix: dict[str, list[int]] = {}
    for j, h in enumerate(header):
        match = _LS_BRACKET.match(h)
        if match:
            by_prefix.setdefault(match["prefix"], []).append(j)
    groups, not_shown = {}, 0
    for prefix, cols in by_prefix.items():
        values = {v.casefold() for j in cols for v in _values(grid, j)}
        # A question shown to nobody holds only N/A: still a group, missing for everyone.
        if len(cols) >= 2 and values <= _LS_TOKENS and (values & _LS_TICKED or values == {"n/a"}):
            groups[prefix] = cols
            not_shown += "n/a" in values
    meta = sum(h in _LS_META for h in header)
    if not forced and not (not_shown or meta >= 3):
        return None
    out = grid.copy()
    for cols in groups.values():
        for j in cols:
            column = out.iloc[1:, j]
            is_na = column.map(lambda v: isinstance(v, str) and v.strip().casefold() == "n/a")
            out.iloc[1:, j] = column.mask(is_na, "")
    types = {h: k for h, k in _LS_META.items() if h in header}
    personal = frozenset(h for h in _LS_PERSONAL if h in header)
    said = ["N/A (question not shown) read as missing"] if not_shown else []
    # The groups are given (not left to detection): a group shown to nobody is blank once its
    # N/A cells are, and must stay one multiple question, missing for everyone.
    named = {prefix: tuple(header[j] for j in cols) for prefix, cols in groups.items()}
    return out, Detection("limesurvey", _say("limesurvey", said), types=types,
                          personal=personal, groups=named)


# --- KoboToolbox ------------------------------------------------------------------------------

_KOBO_META = {"start": "ignore", "end": "ignore", "today": "ignore", "deviceid": "ignore",
              "_id": "ignore", "_uuid": "ignore", "_submission_time": "ignore",
              "_validation_status": "ignore", "_index": "ignore", "_submitted_by": "ignore",
              "_notes": "ignore", "_status": "ignore", "__version__": "ignore", "_tags": "ignore",
              "meta/instanceID": "ignore"}
_KOBO_PERSONAL = {"deviceid", "_submitted_by"}
_BINARY = {"0", "1", "true", "false", "0.0", "1.0"}


def _kobo_groups(grid: pd.DataFrame) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    header = _row(grid, 0)
    by_prefix: dict[str, list[int]] = {}
    for j, h in enumerate(header):
        if "/" in h and not h.startswith("meta/"):
            by_prefix.setdefault(h.rsplit("/", 1)[0], []).append(j)
    groups, summaries = {}, {}
    for prefix, cols in by_prefix.items():
        if len(cols) < 2 or not all({v.casefold() for v in _values(grid, j)} <= _BINARY
                                    for j in cols):
            continue
        if prefix not in header:
            continue
        k = header.index(prefix)
        options = [header[j].rsplit("/", 1)[1] for j in cols]
        agree = total = 0
        for i in range(1, len(grid)):
            summary = _norm(grid.iat[i, k])
            ticked = [o for o, j in zip(options, cols, strict=True)
                      if _norm(grid.iat[i, j]).casefold() in ("1", "true", "1.0")]
            if not summary and not ticked:
                continue
            total += 1
            agree += sorted(summary.split()) == sorted(" ".join(ticked).split())
        if total and agree >= 0.9 * total:
            groups[prefix] = tuple(header[j] for j in cols)
            summaries[prefix] = prefix
    return groups, summaries


def _kobo(grid: pd.DataFrame, forced: bool):
    header = _row(grid, 0)
    groups, summaries = _kobo_groups(grid)
    meta = sum(h in _KOBO_META for h in header if h.startswith("_") or h == "meta/instanceID")
    if not forced and not (groups or meta >= 3):
        return None
    types = {h: k for h, k in _KOBO_META.items() if h in header}
    personal = frozenset(h for h in _KOBO_PERSONAL if h in header)
    said = ["select-multiple '/' columns read as one question"] if groups else []
    return grid, Detection("kobo", _say("kobo", said), types=types, personal=personal,
                           groups=groups, summaries=summaries)


# --- Google Forms -----------------------------------------------------------------------------

_GF_TIMESTAMP = {"horodateur", "timestamp", "horodatage", "marque temporelle"}
#: Headers Google Forms writes itself; the other two are common in any dated export, so they
#: count as Google Forms only with a second sign (an e-mail/username column or a checkbox column).
_GF_OWN_TIMESTAMP = {"horodateur", "timestamp"}
_GF_PERSONAL = {"adresse e-mail", "email address", "adresse électronique", "adresse email",
                "nom d'utilisateur", "username"}


def _googleforms(grid: pd.DataFrame, forced: bool):
    from textmine.survey.columns import checkbox_column

    header = _row(grid, 0)
    if not header:
        return None
    stamps = _values(grid, 0)
    strong = header[0].casefold() in _GF_TIMESTAMP and bool(stamps) and (
        sum(bool(_DATE_LIKE.search(v)) for v in stamps) >= 0.9 * len(stamps))
    if not forced and not strong:
        return None
    types: dict[str, str] = {}
    if header[0].casefold() in _GF_TIMESTAMP:
        types[header[0]] = "ignore"
    personal = frozenset(h for h in header if h.casefold() in _GF_PERSONAL)
    types.update({h: "ignore" for h in personal})
    seps = {}
    for j, h in enumerate(header):
        if h not in types and checkbox_column(pd.Series(_values(grid, j), dtype=object), ", "):
            seps[h] = ", "
            types[h] = "multiple"
    if not forced and header[0].casefold() not in _GF_OWN_TIMESTAMP and not (personal or seps):
        return None
    said = [f"{len(seps)} checkbox question{'s' if len(seps) > 1 else ''} split on ', '"] \
        if seps else []
    return grid, Detection("googleforms", _say("googleforms", said), types=types,
                           option_seps=seps, personal=personal)


# --- Microsoft Forms --------------------------------------------------------------------------

_MS_TIMES = {"start time", "completion time", "last modified time", "heure de début",
             "heure de fin", "heure de la dernière modification"}
_MS_PERSONAL = {"email", "name", "adresse de messagerie", "nom", "e-mail", "adresse e-mail"}


def _reused_options(values: list[str]) -> bool:
    """Whether ``A;B;`` cells pick among a few options (each chosen by several respondents),
    as a multiple-choice column does, rather than being free answers that end with ';'."""
    counts = Counter(p.strip() for v in values for p in v.split(";") if p.strip())
    total = sum(counts.values())
    # Most ticks go to options that several respondents ticked; free answers are all distinct.
    return total > 0 and sum(n for n in counts.values() if n >= 2) >= 0.5 * total


def _msforms(grid: pd.DataFrame, forced: bool):
    header = _row(grid, 0)
    times = [h for h in header if h.casefold() in _MS_TIMES]
    if not forced and not (header and header[0] == "ID" and len(times) >= 2):
        return None
    types = {h: "ignore" for h in times}
    personal = frozenset(h for h in header if h.casefold() in _MS_PERSONAL)
    types.update({h: "ignore" for h in personal})
    seps = {}
    for j, h in enumerate(header):
        values = _values(grid, j)
        if (h not in types and values and sum(v.endswith(";") for v in values) >= 0.9 * len(values)
                and _reused_options(values)):
            seps[h] = ";"
            types[h] = "multiple"
    said = [f"{len(seps)} multiple-choice question{'s' if len(seps) > 1 else ''} ('A;B;')"] \
        if seps else []
    return grid, Detection("msforms", _say("msforms", said), types=types, option_seps=seps,
                           personal=personal)


# --- entry ------------------------------------------------------------------------------------

_DETECTORS = {
    "qualtrics": _qualtrics,
    "surveymonkey": _surveymonkey,
    "limesurvey": _limesurvey,
    "kobo": _kobo,
    "googleforms": _googleforms,
    "msforms": _msforms,
}


def _say(profile: str, done: list[str]) -> str:
    return ", ".join([PROFILE_NAMES[profile], *done])


def apply_profile(grid: pd.DataFrame, profile: str = "auto") -> tuple[pd.DataFrame, Detection]:
    """Recognise a platform's layout in ``grid`` (row 0 = header) and undo it.

    Parameters
    ----------
    grid : pandas.DataFrame
        The file as read: cells ``str`` or missing, the header in row 0.
    profile : str
        ``auto`` (strong evidence only), ``none`` or a profile name (applied as asked).

    Returns
    -------
    grid : pandas.DataFrame
        The grid with extra header rows removed (or joined) and "not shown" cells blanked.
    detection : Detection
        What was found; ``Detection()`` when nothing applies.
    """
    if profile == "none" or grid.empty:
        return grid, Detection()
    names = list(_DETECTORS) if profile == "auto" else [profile]
    for name in names:
        found = _DETECTORS[name](grid, profile != "auto")
        if found is not None:
            return found
    return grid, Detection()
