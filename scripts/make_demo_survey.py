"""Generate textmine's illustrative demo survey (``data/demo_survey.csv``, ``data/demo_truth.csv``).

The survey is written for the project (no real answer is copied). Its closed questions follow,
approximately, the published marginals of the Cap'Com 2020 study of French public-sector digital
communicators after the spring 2020 lockdown; its open answers are composed from the phrase banks
of ``data/demo_phrases.yaml`` with themes planted at known rates (see ``data/README.md``). The
ground truth (which themes each answer carries) goes to ``demo_truth.csv`` so that theme recovery
and the theme × closed-question tables can be checked.

Deterministic: one ``numpy.random.Generator`` with a fixed seed; re-running gives byte-identical
files. Usage: ``python scripts/make_demo_survey.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
PHRASES = DATA / "demo_phrases.yaml"
SURVEY_FILE = "demo_survey.csv"
TRUTH_FILE = "demo_truth.csv"

#: A date of the first French lockdown's aftermath (May 2020): the first seed after 20200511 with
#: which no unplanted theme × closed-question association in the truth reaches p < 0.01 and every
#: planted rate comes out within 0.07 of its intended value (chance would otherwise add a few).
SEED = 20200519
N_RESPONDENTS = 285

# Exact counts (shuffled) rather than draws, so the marginals match the published shares.
DIRECTEUR = "Directeur·rice de la communication"
FONCTION = {"Chargé·e de communication numérique": 168, DIRECTEUR: 105, "Autre": 12}
SMALL, MID, LARGE = (
    "Moins de 10 000 habitants",
    "10 000 à 50 000 habitants",
    "Plus de 50 000 habitants",
)
TAILLE = {SMALL: 55, MID: 162, LARGE: 68}
SOLLICITE = {"Oui": 234, "Non": 51}
CONTRIBUTION = {"Oui": 280, "Non": 5}

#: Authority type given size: large authorities are agglomerations, metropolises, departments,
#: regions (and a few big cities), so type_collectivite is nested in taille by construction.
TYPE_BY_TAILLE = {
    SMALL: {"Commune": 0.85, "Intercommunalité": 0.15},
    MID: {"Commune": 0.72, "Intercommunalité": 0.28},
    LARGE: {
        "Commune": 0.12,
        "Intercommunalité": 0.28,
        "Métropole": 0.15,
        "Département": 0.30,
        "Région": 0.15,
    },
}

#: Multiple-choice question "outils" as 0/1 columns: (column, option label, share ticking it).
OUTILS = (
    ("outils_1", "Visioconférence", 0.90),
    ("outils_2", "Réseaux sociaux", 0.86),
    ("outils_3", "Intranet", 0.45),
    ("outils_4", "Newsletter", 0.55),
    ("outils_5", "Stockage et partage en ligne (cloud)", 0.50),
    ("outils_6", "Live vidéo", 0.35),
)

#: Illustrative population shares by size, used to build post-stratification-like weights.
POPULATION_TAILLE = {SMALL: 0.35, MID: 0.45, LARGE: 0.20}

#: Share of answers that are blank or a non-answer, per open question (independent of the rest).
NONANSWER_RATE = {"q_evolution": 0.06, "q_outils": 0.08, "q_manques": 0.12}

#: Rate of each theme among substantive answers, per question, for everyone not covered by a
#: planted association below.
BASE_RATES = {
    "q_evolution": {
        "dsi": 0.15,
        "conseil": 0.10,
        "interne": 0.28,
        "outils": 0.22,
        "moyens": 0.12,
        "live": 0.10,
    },
    "q_outils": {"outils": 0.62, "live": 0.15, "interne": 0.30, "dsi": 0.10},
    "q_manques": {"moyens": 0.20, "dsi": 0.16, "outils": 0.16, "interne": 0.20, "conseil": 0.12},
}


@dataclass(frozen=True)
class Planted:
    """``theme`` of ``question`` has ``rate`` among respondents whose ``column`` is ``modality``."""

    question: str
    theme: str
    column: str
    modality: str
    rate: float


PLANTED = (
    Planted("q_evolution", "dsi", "fonction", DIRECTEUR, 0.45),
    Planted("q_evolution", "conseil", "sollicite_plus", "Oui", 0.50),
    Planted("q_outils", "live", "taille", LARGE, 0.50),
    Planted("q_manques", "moyens", "taille", SMALL, 0.55),
)

QUESTIONS = ("q_evolution", "q_outils", "q_manques")
COLUMNS = (
    "id",
    "fonction",
    "type_collectivite",
    "taille",
    "sollicite_plus",
    "contribution_publication",
    "anciennete",
    *(col for col, _, _ in OUTILS),
    *QUESTIONS,
    "poids",
)

# Connectors between two sentences of one answer; those ending in ". " or a newline start a
# new sentence (capitalised).
CONNECTORS = (
    ". ",
    ". ",
    ". ",
    ", ",
    ". Par ailleurs, ",
    ". En plus ",
    ", et ",
    ". Du coup ",
    " ; ",
    ". Et surtout ",
    ". Autre point : ",
    ". Aussi, ",
    " + ",
    "\n",
)
SHORT_SEPARATORS = (", ", ", ", " + ", " / ", " et ", " - ", "; ")
ENDINGS = (".", ".", ".", "", "", "...", " !")
N_TYPOS_WORD = re.compile(r"\b[a-zàâçéèêëîïôûùüÿœ]{5,}\b")


def _counts(rng: np.random.Generator, counts: dict[str, int]) -> np.ndarray:
    """Shuffle exact ``counts`` of each modality into an array of N_RESPONDENTS labels."""
    values = np.repeat(np.array(list(counts), dtype=object), list(counts.values()))
    return rng.permutation(values)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _strip_accents(text: str) -> str:
    # Keep the median dot of "Chargé·e" and typographic apostrophes; drop combining accents only.
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept)


def _typo(rng: np.random.Generator, word: str) -> str:
    """One keyboard-like slip in ``word``: swap, drop, double a letter or lose its accents."""
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return _strip_accents(word)


def add_noise(rng: np.random.Generator, text: str) -> str:
    """Make a clean answer look typed: apostrophes, missing accents, case, typos, spacing."""
    if rng.random() < 0.15:
        text = _strip_accents(text)
    if rng.random() < 0.35:  # Word and phones turn ' into the typographic ’
        text = text.replace("'", "’")
    case = rng.random()
    if case < 0.08:
        text = text.lower()
    elif case < 0.10 and len(text) < 60:
        text = text.upper()
    if rng.random() < 0.22:
        words = list(N_TYPOS_WORD.finditer(text))
        for _ in range(int(rng.integers(1, 3))):
            if not words:
                break
            match = words.pop(int(rng.integers(len(words))))
            start, end = match.span()
            text = text[:start] + _typo(rng, match.group()) + text[end:]
            # Later matches may have shifted: recompute positions from the edited text.
            words = [m for m in N_TYPOS_WORD.finditer(text) if m.start() != start]
    if rng.random() < 0.05:
        text = text.replace(", ", " ,", 1)
    if rng.random() < 0.04:
        text = text.replace(" ", "  ", 1)
    return text


def _pick(rng: np.random.Generator, bank: list[str], k: int) -> list[str]:
    k = min(k, len(bank))
    return [bank[i] for i in rng.choice(len(bank), size=k, replace=False)]


def _join(rng: np.random.Generator, parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        connector = str(rng.choice(CONNECTORS))
        new_sentence = connector.endswith(". ") or connector == "\n"
        text += connector + (_cap(part) if new_sentence else part)
    return text


def compose(rng: np.random.Generator, spec: dict, themes: list[str]) -> str:
    """Write one answer to the open question ``spec`` carrying the given theme codes.

    Styles: a short fragment list ("visio + cloud"), one or a few sentences, a long paragraph
    with an opener and a closer, or a dashed list on several lines.
    """
    style = str(rng.choice(["short", "medium", "long", "list"], p=[0.30, 0.42, 0.20, 0.08]))
    if themes:
        order = [themes[i] for i in rng.permutation(len(themes))]
        per_theme = 2 if style == "long" and len(themes) < 3 else 1
        parts = [p for t in order for p in _pick(rng, spec["banks"][t], per_theme)]
    else:
        parts = _pick(rng, spec["off_topic"], 2 if style in ("long", "list") else 1)
    if themes and style == "long" and rng.random() < 0.6:
        # Long answers digress: a theme-neutral sentence somewhere among the themed ones.
        at = int(rng.integers(len(parts) + 1))
        parts.insert(at, _pick(rng, spec["off_topic"], 1)[0])
    if style == "short":
        sep = str(rng.choice(SHORT_SEPARATORS))
        text = sep.join(parts)
        return _cap(text) if rng.random() < 0.5 else text
    if style == "list":
        return "\n".join("- " + p for p in parts)
    text = _join(rng, parts)
    if style == "long":
        opener = str(rng.choice(spec["openers"]))
        text = opener + " " + (_cap(text) if opener.endswith(".") else text)
        stop = " " if text.rstrip()[-1:] in ".!?" else ". "
        return text.rstrip() + stop + str(rng.choice(spec["closers"]))
    return _cap(text) + str(rng.choice(ENDINGS))


def _theme_rate(question: str, theme: str, row: dict[str, str]) -> float:
    for plant in PLANTED:
        if (plant.question, plant.theme) == (question, theme):
            if row[plant.column] == plant.modality:
                return plant.rate
    return BASE_RATES[question][theme]


def _closed_columns(rng: np.random.Generator) -> list[dict[str, str]]:
    """Closed questions and weights, one dict per respondent (values as written in the CSV)."""
    fonction = _counts(rng, FONCTION)
    taille = _counts(rng, TAILLE)
    sollicite = _counts(rng, SOLLICITE)
    contribution = _counts(rng, CONTRIBUTION)
    types = []
    for size in taille:
        options = TYPE_BY_TAILLE[size]
        types.append(str(rng.choice(list(options), p=list(options.values()))))
    years = np.clip(np.rint(rng.gamma(2.0, 3.5, size=N_RESPONDENTS)), 0, 35).astype(int)
    missing_years = set(rng.choice(N_RESPONDENTS, size=3, replace=False).tolist())
    ticks = {col: rng.random(N_RESPONDENTS) < share for col, _, share in OUTILS}
    sample_share = {size: count / N_RESPONDENTS for size, count in TAILLE.items()}
    weights = np.array([POPULATION_TAILLE[s] / sample_share[s] for s in taille])
    weights = weights * np.exp(rng.normal(0.0, 0.1, size=N_RESPONDENTS))
    weights = weights / weights.mean()
    rows = []
    for i in range(N_RESPONDENTS):
        row = {
            "id": f"R{i + 1:03d}",
            "fonction": str(fonction[i]),
            "type_collectivite": types[i],
            "taille": str(taille[i]),
            "sollicite_plus": str(sollicite[i]),
            "contribution_publication": str(contribution[i]),
            "anciennete": "" if i in missing_years else str(years[i]),
        }
        row.update({col: str(int(ticks[col][i])) for col, _, _ in OUTILS})
        row["poids"] = f"{weights[i]:.4f}"
        rows.append(row)
    return rows


def generate(
    *, seed: int = SEED, phrases: Path = PHRASES
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Build the survey rows and the truth rows (both as lists of string dicts)."""
    spec = yaml.safe_load(phrases.read_text(encoding="utf-8"))
    names = spec["themes"]
    rng = np.random.default_rng(seed)
    rows = _closed_columns(rng)
    truth: list[dict[str, str]] = []
    for row in rows:
        for question in QUESTIONS:
            qspec = spec["questions"][question]
            # Draw every theme whatever the status, so a status change does not shift the stream.
            themes = [
                t for t in BASE_RATES[question] if rng.random() < _theme_rate(question, t, row)
            ]
            u = rng.random()
            if u < NONANSWER_RATE[question] / 2:
                text, status, themes = str(rng.choice(["", "", " "])), "empty", []
            elif u < NONANSWER_RATE[question]:
                text, status, themes = str(rng.choice(spec["nonanswers"])), "non-answer", []
            else:
                text = add_noise(rng, compose(rng, qspec, themes))
                status = "themed" if themes else "unassigned"
            row[question] = text
            ordered = [names[t] for t in names if t in themes]
            truth.append(
                {
                    "respondent_id": row["id"],
                    "question": question,
                    "status": status,
                    "themes": ";".join(ordered),
                    "has_pii": "0",
                }
            )
    _plant_pii(rng, rows, truth, spec["pii"])
    return rows, truth


def _plant_pii(
    rng: np.random.Generator,
    rows: list[dict[str, str]],
    truth: list[dict[str, str]],
    sentences: list[str],
) -> None:
    """Append each personal-data sentence to one substantive answer (after the noise, intact)."""
    candidates = [i for i, t in enumerate(truth) if t["status"] in ("themed", "unassigned")]
    chosen = rng.choice(candidates, size=len(sentences), replace=False)
    by_id = {row["id"]: row for row in rows}
    for sentence, index in zip(sentences, chosen.tolist(), strict=True):
        record = truth[index]
        row = by_id[record["respondent_id"]]
        row[record["question"]] = row[record["question"]].rstrip() + " " + sentence
        record["has_pii"] = "1"


def _write(path: Path, header: tuple[str, ...], rows: list[dict[str, str]], sep: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=sep, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(out_dir: Path = DATA, *, seed: int = SEED) -> tuple[Path, Path]:
    """Write ``demo_survey.csv`` (``;``-separated) and ``demo_truth.csv`` into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, truth = generate(seed=seed)
    survey_path, truth_path = out_dir / SURVEY_FILE, out_dir / TRUTH_FILE
    _write(survey_path, COLUMNS, rows, ";")
    _write(truth_path, ("respondent_id", "question", "status", "themes", "has_pii"), truth, ",")
    return survey_path, truth_path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help="output folder (default: data/)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    args = parser.parse_args()
    for written in main(args.out, seed=args.seed):
        print(written)
