"""Recognised answer scales: the order of a closed question's levels when the data says it.

``textmine init`` proposes an order for a closed question only when it is plausible: the levels
carry their own codes (``1 - Jamais``, ``rev1``..``rev4``, age bands ``20-29ans``..``60ans+``) or
form a recognised French scale (diplomas, agreement, frequency, satisfaction, quantity).
Other questions (sex, region...) are left unordered, with no question asked. "Don't know"-like
levels (``NSP``, ``Ne sait pas``, ``Refus``...) go last.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: Named scales: one regular expression per rank (on the level folded: lower case, no accents,
#: punctuation as spaces), lowest first. A level takes the rank of the first expression found.
SCALES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("diploma", (
        r"\b(nodip|no dip|aucun|sans dipl\w*|pas de dipl\w*|sans)\b",
        r"\b(cep|certificat d etudes?( primaires?)?|primaire)\b",
        r"\b(be|bepc|brevet|dnb|college)\b",
        r"\b(prof|cap|bep|cap bep|professionnel\w*)\b",
        r"\b(bac|baccalaureat|niveau bac)\b(?! ?\d)",
        r"\b(sup|superieur\w*|bac ?2|bts|dut|deug|licence|bac ?3|universit\w*)\b",
        r"\b(master|bac ?5|grandes? ecoles?|ingenieur|doctorat|bac ?8)\b",
    )),
    ("agreement", (
        r"\bpas du tout d accord\b|\btout a fait en desaccord\b",
        r"\bplutot pas d accord\b|\bplutot en desaccord\b|\bpas vraiment d accord\b",
        r"\bni d accord ni\b|\bneutre\b",
        r"^plutot d accord\b",
        r"\btout a fait d accord\b|\bentierement d accord\b",
    )),
    ("frequency", (
        r"\bjamais\b",
        r"\brarement\b",
        r"\bparfois\b|\bde temps en temps\b|\bquelquefois\b",
        r"\bsouvent\b(?<!tres souvent)",
        r"\btres souvent\b|\btoujours\b|\btout le temps\b",
    )),
    ("satisfaction", (
        r"\bpas du tout satisfait\w*|\btres insatisfait\w*|\btres mecontent\w*",
        r"\bpeu satisfait\w*|\bplutot insatisfait\w*|\bplutot pas satisfait\w*|\binsatisfait\w*",
        r"\bni satisfait\w* ni\b",
        r"^plutot satisfait\w*|\bassez satisfait\w*|^satisfait\w*",
        r"\btres satisfait\w*",
    )),
    ("quantity", (
        r"\bpas du tout\b",
        r"\bun peu\b|\bpeu\b",
        r"\bassez\b|\bmoyennement\b",
        r"\bbeaucoup\b",
        r"\benormement\b|\btotalement\b",
    )),
)

_DONT_KNOW = re.compile(
    r"\b(nsp|nsp ?nr|nr|ne sait pas|ne se prononce pas|sans reponse|refus\w*|je ne sais pas"
    r"|sans opinion|non reponse|autre|other|dk)\b|nsp$|^revnsp$"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as single spaces (``+`` kept)."""
    plain = unicodedata.normalize("NFKD", str(text).casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9+]+", " ", plain).split())


def _dont_know(level: str) -> bool:
    return bool(_DONT_KNOW.search(fold(level)))


def _number_key(level: str) -> float | None:
    """Position of a coded or banded level: its first number, nudged by "moins de"/"plus de"."""
    folded = fold(level)
    match = _NUMBER.search(folded)
    if match is None:
        return None
    value = float(match.group().replace(",", "."))
    if re.search(r"\b(moins de|moins d|inferieur|under|less than|<)", folded) or \
            folded.startswith("-"):
        value -= 0.5
    if re.search(r"(\+|\bet plus\b|\bplus de\b|\bou plus\b|\bsuperieur a\b|\bover\b)", folded):
        value += 0.5
    return value


def scale_order(levels: Sequence[str]) -> tuple[tuple[str, ...], str] | None:
    """The order of ``levels`` when the data says it, and why.

    Parameters
    ----------
    levels : sequence of str
        The distinct answers of a closed question.

    Returns
    -------
    tuple of (tuple of str, str) or None
        The levels lowest first ("don't know"-like levels last) and the reason (``"diploma
        scale"``, ``"age bands"``, ``"numbered codes"``...); ``None`` when no order is plausible
        (fewer than three ordered levels, or levels that are not a scale).
    """
    levels = [str(v) for v in levels]
    rest = [v for v in levels if _dont_know(v)]
    core = [v for v in levels if v not in rest]
    if len(core) < 3:
        return None
    keys = [_number_key(v) for v in core]
    if all(k is not None for k in keys) and len(set(keys)) == len(keys):
        folded = " ".join(fold(v) for v in core)
        reason = "age bands" if re.search(r"\bans?\b|ans\b", folded) else "numbered codes"
        order = [v for _, v in sorted(zip(keys, core, strict=True), key=lambda kv: kv[0])]
        return tuple(order + rest), reason
    for name, patterns in SCALES:
        ranks = []
        for level in core:
            folded = fold(level)
            rank = next((r for r, p in enumerate(patterns) if re.search(p, folded)), None)
            if rank is None:
                break
            ranks.append(rank)
        else:
            if len(set(ranks)) == len(ranks):
                order = [v for _, v in sorted(zip(ranks, core, strict=True),
                                              key=lambda kv: kv[0])]
                return tuple(order + rest), f"{name} scale"
    return None
