"""Theme labels: top terms ranked by frequency and exclusivity (FREX, as in R's stm).

For theme k and term t, with ``beta[k, t]`` the term's share of the theme's weight:

- frequency rank: the empirical CDF of ``beta[k, t]`` among all terms of theme k;
- exclusivity rank: the CDF of ``beta[k, t] / sum_j beta[j, t]`` among all terms;
- FREX = harmonic mean of the two ranks (weight ``frex_weight`` on exclusivity).

Only the :data:`POOL` heaviest terms of a theme compete, so that a rare term seen once in one theme
cannot top the list through exclusivity alone. Multi-word expressions are shown with spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata


def display_term(term: str) -> str:
    """How a feature is shown to people: multi-word expressions joined by spaces."""
    return term.replace("_", " ")


#: Heaviest terms of a theme that compete in the FREX ranking.
POOL = 20


def frex_order(
    components: np.ndarray, *, n_top: int = 10, frex_weight: float = 0.5, pool: int = POOL
) -> list[np.ndarray]:
    """Column indices of each theme's top terms, best first (FREX ranking).

    Parameters
    ----------
    components : ndarray (k, n_terms)
        Non-negative theme × term weights.
    n_top : int
        Terms returned per theme.
    frex_weight : float
        Weight of exclusivity in the harmonic mean (stm's default 0.5).
    pool : int
        Only the ``pool`` heaviest terms of each theme are ranked.
    """
    comp = np.maximum(np.asarray(components, dtype=np.float64), 0.0)
    beta = comp / np.maximum(comp.sum(axis=1, keepdims=True), 1e-300)
    excl = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    n_terms = comp.shape[1]
    out = []
    for k in range(comp.shape[0]):
        f_rank = rankdata(beta[k], method="max") / n_terms
        e_rank = rankdata(excl[k], method="max") / n_terms
        frex = 1.0 / (frex_weight / e_rank + (1.0 - frex_weight) / f_rank)
        # Heaviest terms first (ties broken by column index for reproducibility).
        heavy = np.lexsort((np.arange(n_terms), -beta[k]))[:pool]
        heavy = heavy[beta[k, heavy] > 0]
        order = heavy[np.lexsort((heavy, -beta[k, heavy], -frex[heavy]))]
        out.append(order[:n_top])
    return out


def top_terms(
    components: np.ndarray, terms: Sequence[str], *, n_top: int = 10
) -> list[list[str]]:
    """Each theme's top terms (FREX order), as shown to people.

    A word already shown inside a multi-word expression of the list is skipped (``piscine``
    after ``noyade_piscine``) or replaced by the expression (``lettre`` before ``lettre_info``),
    so that the list says more in the same space.
    """
    out = []
    for idx in frex_order(components, n_top=3 * n_top, pool=max(3 * n_top, POOL)):
        chosen: list[str] = []
        inside: set[str] = set()
        for i in idx:
            term = terms[i]
            if term in inside:
                continue
            if "_" in term:
                parts = set(term.split("_"))
                inside.update(parts)
                # The expression takes the place of its words already listed ("lettre" then
                # "lettre_info" gives "lettre info" once).
                at = next((j for j, t in enumerate(chosen) if t in parts), None)
                chosen = [t for t in chosen if t not in parts]
                chosen.insert(len(chosen) if at is None else at, term)
            else:
                chosen.append(term)
            if len(chosen) == n_top:
                break
        out.append([display_term(t) for t in chosen])
    return out


def theme_label(top: Sequence[str], *, n_terms: int = 3) -> str:
    """A short label from a theme's top terms: the first ``n_terms`` joined by `` / ``."""
    return " / ".join(top[:n_terms]) if top else "(no terms)"


def distinct_labels(labels: Sequence[str], tops: Sequence[Sequence[str]]) -> list[str]:
    """Labels where no two themes share one: a repeated label takes its theme's own term.

    Two themes can have the same three top terms (on short answers the semantic model splits
    "la nature" answers by what else they say, which is further down the list). Each theme
    whose label is repeated gets the first of its top terms that none of the other themes with
    that label has among its own top terms ("nature / respect / protection / forêt" beside
    "... / propreté"); failing that, its rank among them ("... (2)").

    Parameters
    ----------
    labels : sequence of str
        One label per theme (e.g. from :func:`theme_label`).
    tops : sequence of sequences of str
        Each theme's top terms, best first (the list the label was made from).

    Returns
    -------
    list of str
        The labels, repeated ones made distinct; unique labels are unchanged.
    """
    out = list(labels)
    groups: dict[str, list[int]] = {}
    for j, label in enumerate(labels):
        groups.setdefault(label, []).append(j)
    taken = set(labels)
    for label, members in groups.items():
        if len(members) < 2:
            continue
        for rank, j in enumerate(members, start=1):
            others = {t for i in members if i != j for t in tops[i]}
            own = next((t for t in tops[j] if t not in others and t not in label.split(" / ")),
                       None)
            new = f"{label} / {own}" if own else f"{label} ({rank})"
            if new in taken:
                new = f"{label} ({rank})"
            out[j] = new
            taken.add(new)
    return out


# -- surface forms: labels made of words the answers contain (issue 14) ----------------------

#: Words of an answer: letters and digits, hyphenated compounds kept whole ("week-end").
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
#: Words (function words) allowed between two words of an expression ("consignes *des* écoles").
MAX_GAP = 2
#: Answers read per feature to find its surface form (the first ones, corpus order).
MAX_ROWS = 500
#: Cosine of answer sets from which a word is taken as the written form of an irregular lemma.
ALIAS_COSINE = 0.5


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """A word casefolded and without accents (how a lemma is compared with the words written)."""
    folded = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _matches(part: str, word: str, aliases: Mapping[str, frozenset[str]] | None = None) -> int:
    """2 when ``word`` is the feature part itself, 1 when it is an inflection of it, else 0.

    An inflection shares with the part a prefix of at least ``len(part) - 2`` letters (and 3),
    so that the lemma ``national`` finds *nationales*, the stub ``montagn`` *montagnes* and
    ``vivr`` *vivre*, while ``peu`` does not take *peut*'s place when *peu* is written.
    """
    if word == part:
        return 2
    if aliases and word in aliases.get(part, ()):
        return 1
    n = _prefix(part, word)
    return int(n >= max(3, len(part) - 2) and len(word) <= len(part) + 4)


def _prefix(a: str, b: str) -> int:
    """Length of the common prefix of two words."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class _Tokens:
    """An answer cut into sub-words once (folded, with their word and the word offsets)."""

    __slots__ = ("text", "offsets", "subs", "by_prefix")

    def __init__(self, text: str) -> None:
        found = list(_TOKEN.finditer(text))
        self.text = text
        self.offsets = [(m.start(), m.end()) for m in found]
        self.subs = [(fold(s), t) for t, m in enumerate(found) for s in m.group().split("-")]
        self.by_prefix: dict[str, list[int]] = {}
        for p, (sub, _) in enumerate(self.subs):
            self.by_prefix.setdefault(sub[:3], []).append(p)


def _spans(parts: list[str], tokens: _Tokens,
           aliases: Mapping[str, frozenset[str]] | None = None) -> list[tuple[str, int]]:
    """Spans of an answer that write the feature ``parts``, as (lower-case text, exactness).

    Each part matches one sub-word (hyphenated words are split for matching but shown whole),
    consecutive parts at most :data:`MAX_GAP` sub-words apart.
    """
    subs = tokens.subs
    # A match shares the part's first 3 letters (or is the part); aliases need a full scan.
    starts = (range(len(subs)) if aliases and parts[0] in aliases
              else tokens.by_prefix.get(parts[0][:3], ()))
    out = []
    for start in starts:
        sub, tok0 = subs[start]
        exact = _matches(parts[0], sub, aliases)
        if not exact:
            continue
        pos, last = start, tok0
        for part in parts[1:]:
            nxt = next((p for p in range(pos + 1, min(pos + 2 + MAX_GAP, len(subs)))
                        if _matches(part, subs[p][0], aliases)), None)
            if nxt is None:
                break
            exact = min(exact, _matches(part, subs[nxt][0], aliases))
            pos, last = nxt, subs[nxt][1]
        else:
            # The text as written between the first and last word ("d'informaticien").
            span = tokens.text[tokens.offsets[tok0][0]:tokens.offsets[last][1]]
            out.append((" ".join(span.split()).lower(), exact))
    return out


def surface_forms(
    features: Sequence[str], X: sp.spmatrix, vocabulary: Sequence[str], texts: Sequence[str],
    *, cache: dict | None = None,
) -> dict[str, str | None]:
    """The form in which the answers write each feature (``None`` when they never do).

    Features are lemmas, stubs or expressions made by the text pipeline (``consigne_national``,
    ``montagn``, ``pas_week``); a label must be words a reader finds in the answers. For each
    feature, the answers holding it (column of ``X``) are searched for a span writing its words
    in order (inflections allowed, see :func:`_matches`; function words between them); the span
    written in the most answers wins (an exact form counts double; ties: shorter, then
    alphabetical). A feature no answer writes as words (a piece of a word, e.g. ``end`` of
    *week-end* is shown as *week-end*; a negation written otherwise) gets ``None`` and is left out
    of labels: it is a fragment.

    Parameters
    ----------
    features : sequence of str
        The features to name (a subset of ``vocabulary``).
    X : sparse matrix (n_answers, n_terms)
        Answers × terms counts; rows aligned with ``texts``.
    vocabulary : sequence of str
        Column names of ``X``.
    texts : sequence of str
        The answers (original text).
    cache : dict, optional
        Shared by the calls of one run on the same ``X`` and ``texts`` (forms found, answers
        cut into words), so that each answer is read once.

    Returns
    -------
    dict
        Feature -> surface form (lower case) or ``None``.
    """
    cache = {} if cache is None else cache
    known: dict[str, str | None] = cache.setdefault("forms", {})
    todo = [f for f in dict.fromkeys(features) if f not in known]
    if not todo:
        return {f: known[f] for f in features}
    col = {t: i for i, t in enumerate(vocabulary)}
    Xc = sp.csc_matrix(X)
    out = known
    # Words and tokens are kept per distinct text, not per answer (issue 19: a resampled
    # consultation of 1M answers holds ~56k texts; one frozenset per answer took gigabytes).
    words_of: dict[str, frozenset[str]] = cache.setdefault("words", {})
    tokens_of: dict[str, _Tokens] = cache.setdefault("tokens", {})
    doc_freq: Counter[str] | None = cache.get("doc_freq")

    def text_words(text: str) -> frozenset[str]:
        found = words_of.get(text)
        if found is None:
            found = words_of[text] = frozenset(fold(w) for tok in _TOKEN.findall(text)
                                               for w in tok.split("-"))
        return found

    def words(r: int) -> frozenset[str]:
        return text_words(str(texts[r]))

    def tokens(r: int) -> _Tokens:
        text = str(texts[r])
        found = tokens_of.get(text)
        if found is None:
            found = tokens_of[text] = _Tokens(text)
        return found

    def best_span(parts: list[str], rows: np.ndarray, aliases=None) -> str | None:
        score: Counter[str] = Counter()
        for r in rows:
            best: dict[str, int] = {}
            for span, exact in _spans(parts, tokens(r), aliases):
                best[span] = max(best.get(span, 0), exact)
            for span, exact in best.items():
                score[span] += exact  # once per answer; an exact form counts double
        return min(score, key=lambda s: (-score[s], len(s), s)) if score else None

    for feature in todo:
        j = col.get(feature)
        if j is None:
            out[feature] = None
            continue
        parts = [fold(p) for p in feature.split("_") if p]
        rows = np.sort(Xc.indices[Xc.indptr[j]:Xc.indptr[j + 1]])[:MAX_ROWS]
        out[feature] = best_span(parts, rows)
        if out[feature] is None and rows.size:
            # Irregular forms (the lemma ``ouvrir`` written *ouverts*): a part no word starts
            # like may be written as a word sharing its first two letters that goes with the
            # feature closely (cosine of their answer sets >= ALIAS_COSINE).
            if doc_freq is None:
                # Answers holding each word: per distinct text, times its answers.
                doc_freq = Counter()
                for text, n in Counter(str(t) for t in texts).items():
                    for w in text_words(text):
                        doc_freq[w] += n
                cache["doc_freq"] = doc_freq
            here = Counter(w for r in rows for w in words(r))
            aliases = {}
            for part in parts:
                if any(_matches(part, w) for w in here):
                    continue
                close = {w: _prefix(part, w) for w, n in here.items()
                         if _prefix(part, w) >= 2
                         and n / np.sqrt(doc_freq[w] * rows.size) >= ALIAS_COSINE}
                # The closest spelling among them (reconnaître: *reconnu*, not *rôle*).
                longest = max(close.values(), default=0)
                aliases[part] = frozenset(w for w, p in close.items() if p == longest)
            if any(aliases.values()):
                out[feature] = best_span(parts, rows, aliases)
    return {f: known[f] for f in features}


def _words(form: str) -> set[str]:
    return {fold(w) for tok in _TOKEN.findall(form) for w in tok.split("-")}


def written_by_members(members: np.ndarray, X: sp.spmatrix) -> np.ndarray:
    """Themes × terms booleans: the terms at least one of the theme's own answers writes.

    A model's term weights can reach words none of a theme's answers writes: ``short`` and
    ``semantic`` smooth each answer with the terms that co-occur with its own, and a
    ``semantic`` theme's terms average every answer by its (never zero) softmax weight. Labels
    and top terms are taken among the words the theme's answers write (issue 14: "labels are
    words that occur in the answers").

    Parameters
    ----------
    members : ndarray of bool (n_answers, k)
        Which themes each answer carries (the assignment rule).
    X : sparse matrix (n_answers, n_terms)
        Term counts of the same answers.

    Returns
    -------
    ndarray of bool (k, n_terms)
    """
    B = sp.csr_matrix(X, dtype=np.float64, copy=True)
    B.data = (B.data > 0).astype(np.float64)
    M = sp.csr_matrix(np.asarray(members, dtype=np.float64))
    return np.asarray((M.T @ B).todense()) > 0


def surface_top_terms(
    components: np.ndarray, terms: Sequence[str], surface: Mapping[str, str | None], *,
    n_top: int = 10,
) -> list[list[str]]:
    """Each theme's top terms as written in the answers: the heaviest first, then FREX order.

    The heaviest term leads so that the label names what the theme's answers say most (its
    biggest word in the word cloud, which shows the same forms); fragments (no surface form)
    are left out; a form whose words are all in a form already listed is skipped, and a form
    holding the words of listed ones takes their place (``consignes`` then ``consignes
    nationales`` gives ``consignes nationales`` once).
    """
    comp = np.maximum(np.asarray(components, dtype=np.float64), 0.0)
    out = []
    width = max(3 * n_top, POOL)
    for k, idx in enumerate(frex_order(comp, n_top=width, pool=width)):
        heaviest = int(np.lexsort((np.arange(comp.shape[1]), -comp[k]))[0])
        order = ([heaviest] if comp[k, heaviest] > 0 else []) + [int(i) for i in idx
                                                                if i != heaviest]
        chosen: list[str] = []
        for i in order:
            form = surface.get(terms[i])
            if not form:
                continue
            words = _words(form)
            if any(words <= _words(c) for c in chosen):
                continue
            inside = [c for c in chosen if _words(c) <= words]
            at = chosen.index(inside[0]) if inside else len(chosen)
            chosen = [c for c in chosen if c not in inside]
            chosen.insert(min(at, len(chosen)), form)
            if len(chosen) == n_top:
                break
        out.append(chosen)
    return out


def fragment_share(
    components: np.ndarray, terms: Sequence[str], surface: Mapping[str, str | None], *,
    n_heaviest: int = 3,
) -> np.ndarray:
    """Share of each theme's ``n_heaviest`` terms that are fragments (no surface form)."""
    comp = np.asarray(components, dtype=np.float64)
    out = np.zeros(comp.shape[0])
    for k in range(comp.shape[0]):
        top = np.lexsort((np.arange(comp.shape[1]), -comp[k]))[:n_heaviest]
        top = [i for i in top if comp[k, i] > 0]
        if top:
            out[k] = sum(not surface.get(terms[i]) for i in top) / len(top)
    return out
