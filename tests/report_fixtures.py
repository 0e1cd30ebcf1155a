"""A realistic finished run folder, written by hand, for the report tests.

It holds every file a themes run writes (themes, answers, term weights, terms, run record,
k selection, crosstabs with status rows and a multiple-choice question, specificities, effects),
with French answers, accents, and hostile answers (HTML, spreadsheet formulas).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from textmine.outputs import write_csv, write_json

#: Answers that must come out inert in every format.
HOSTILE = [
    "<script>alert(1)</script> la visio plante tout le temps",
    '=HYPERLINK("http://evil.example/x","clic") réunion en visio',
    "+cmd|' /C calc'!A0 pas assez de moyens",
    "@SUM(1+1) la DSI ne répond pas",
    "-2+3 manque de personnel",
]

THEMES = {
    1: ("Outils de visio", ["visio", "réunion", "teams", "zoom", "outil"]),
    2: ("Chevauchement avec la DSI", ["dsi", "assistance", "technique", "informatique"]),
    3: ("Manque de moyens", ["ne_pas_assez", "moyen", "personnel", "matériel", "budget"]),
    4: ('=Conseil <i>stratégique</i> & "élus"', ["conseil", "élu", "stratégie", "rôle"]),
}

SENTENCES = {
    1: ["On a tout basculé en visio avec Teams.", "Réunions zoom quotidiennes, épuisant !",
        "Mise en place d'outils de visio pour les élus."],
    2: ["J'ai fait l'assistance technique à la place de la DSI.",
        "La DSI était débordée donc on a dépanné les agents sur l'informatique."],
    3: ["Pas assez de moyens humains, pas de budget.", "Matériel insuffisant, personnel absent."],
    4: ["Rôle de conseil auprès des élus et de la direction générale.",
        "On est devenus conseillers en stratégie de communication."],
}

#: The rule recorded by the themes stage (textmine.themes.selection.K_RULE at the time of writing).
K_RULE = ("k maximising the mean of min-max scaled NPMI coherence, exclusivity and seed stability "
          "over the k tried; smallest k on ties")

FONCTIONS = ["Chargé de communication numérique", "Directeur de la communication", "Autre"]


def _adjusted_residuals(table: np.ndarray) -> np.ndarray:
    n = table.sum()
    rows = table.sum(axis=1, keepdims=True)
    cols = table.sum(axis=0, keepdims=True)
    expected = rows * cols / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return (table - expected) / np.sqrt(expected * (1 - rows / n) * (1 - cols / n))


def _crosstab(answers: pd.DataFrame, groups: pd.Series, question: str, variable: str,
              labels: dict[int, str]) -> pd.DataFrame:
    """Rows of crosstab_<COL>.csv for one variable (theme rows and status rows)."""
    levels = list(dict.fromkeys(groups))
    rows = []
    indicators = {tid: answers["themes"].fillna("").str.split(";").map(lambda x, t=tid: str(t) in x)
                  for tid in labels}
    indicators.update({s: answers["status"] == s for s in ("unassigned", "non-answer")})
    for key, ind in indicators.items():
        yes = np.array([(ind & (groups == lv)).sum() for lv in levels], float)
        tot = np.array([(groups == lv).sum() for lv in levels], float)
        table = np.vstack([yes, tot - yes])
        resid = _adjusted_residuals(table)[0]
        if (table.sum(axis=1) > 0).all():
            chi2, p, _, _ = chi2_contingency(table, correction=False)
            v = float(np.sqrt(chi2 / table.sum()))
        else:
            p, v = float("nan"), float("nan")
        is_theme = isinstance(key, int)
        for j, lv in enumerate(levels):
            rows.append({
                "question": question, "variable": variable,
                "theme_id": key if is_theme else "", "label": labels[key] if is_theme else key,
                "modality": lv, "n": int(yes[j]), "n_modality": int(tot[j]),
                "pct": 100 * yes[j] / tot[j] if tot[j] else np.nan,
                "pct_of_theme": 100 * yes[j] / yes.sum() if yes.sum() else np.nan,
                "expected": yes.sum() * tot[j] / tot.sum(), "adj_residual": resid[j],
                "flag": "over" if resid[j] >= 1.96 else ("under" if resid[j] <= -1.96 else ""),
                "p_value": p, "test": "chi2", "p_adjusted": min(1.0, p * 2) if p == p else p,
                "cramers_v": v, "trend_p_value": np.nan,
                "row_type": "theme" if is_theme else "status",
            })
    return pd.DataFrame(rows)


def make_run(folder: Path, *, n: int = 60, seed: int = 0, k_auto: bool = True,
             tables: bool = True) -> Path:
    """Write a finished run folder with ``n`` respondents into ``folder`` and return it."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"r{i:03d}" for i in range(1, n + 1)]
    fonction = pd.Series([FONCTIONS[i % 3] for i in range(n)], index=range(n))
    rows = []
    for i, rid in enumerate(ids):
        if i < len(HOSTILE):
            text, primary, extra = HOSTILE[i], [1, 1, 3, 2, 3][i], []
        elif i % 11 == 0:
            rows.append({"respondent_id": rid, "text": "RAS", "status": "non-answer",
                         "theme_id": None, "weight": None, "themes": ""})
            continue
        elif i % 13 == 0:
            rows.append({"respondent_id": rid, "text": "", "status": "empty",
                         "theme_id": None, "weight": None, "themes": ""})
            continue
        elif i % 7 == 0:
            rows.append({"respondent_id": rid, "text": "Bof, rien de spécial à signaler ici.",
                         "status": "unassigned", "theme_id": None, "weight": None, "themes": ""})
            continue
        else:
            # Directors (i % 3 == 1) mention the DSI overlap more often: a planted association.
            primary = 2 if (i % 3 == 1 and rng.random() < 0.7) else int(rng.integers(1, 5))
            extra = [int(rng.integers(1, 5))] if rng.random() < 0.3 else []
            text = " ".join(rng.choice(SENTENCES[primary], size=2))
        ids_ = sorted({primary, *extra})
        rows.append({"respondent_id": rid, "text": text, "status": "themed", "theme_id": primary,
                     "weight": round(float(rng.uniform(0.3, 1.0)), 3),
                     "themes": ";".join(map(str, ids_))})
    answers = pd.DataFrame(rows)
    write_csv(answers, folder / "answers.csv")

    themed = answers[answers["status"] == "themed"]
    theme_rows = []
    for tid, (label, terms) in THEMES.items():
        members = themed[themed["themes"].str.split(";").map(lambda x, t=tid: str(t) in x)]
        quotes = members.sort_values("weight", ascending=False)["text"].head(3).tolist()
        if tid == 1:
            quotes[0] = HOSTILE[0]
            quotes[1] = HOSTILE[1]
        quotes += [""] * (3 - len(quotes))
        ok = int(answers["status"].isin(["themed", "unassigned"]).sum())
        theme_rows.append({"theme_id": tid, "label": label, "top_terms": "; ".join(terms),
                           "n_answers": len(members), "share": len(members) / ok,
                           **{f"quote_{j}": q for j, q in enumerate(quotes, start=1)}})
    themes = pd.DataFrame(theme_rows)
    write_csv(themes, folder / "themes.csv")

    weights = [{"theme_id": tid, "term": term, "weight": round(1.0 / (j + 1), 4)}
               for tid, (_, terms) in THEMES.items() for j, term in enumerate(terms)]
    write_csv(pd.DataFrame(weights), folder / "term_weights.csv")
    terms = answers[["respondent_id", "status"]].copy()
    terms["terms"] = answers["text"].fillna("").str.lower().str.replace(r"[^\w\s]", " ",
                                                                        regex=True)
    write_csv(terms, folder / "terms.csv")

    run = {
        "command": "themes",
        "settings": {"themes": {"k": "auto" if k_auto else 4, "method": "nmf", "seed": 0},
                     "tables": {"alpha": 0.05}},
        "versions": {"textmine": "0.1.0", "python": "3.11", "spacy": "3.8.0"},
        "input": {"path": "demo_survey.csv", "sha256": "ab" * 32, "id_col": "id", "sheet": None,
                  "text_col": "q_evolution"},
        "counts": {"rows_read": n, "themed": int((answers["status"] == "themed").sum())},
        "themes": {"method": "nmf", "k": 4 if k_auto else 5,
                   "k_chosen_by": "auto" if k_auto else "fixed",
                   "k_rule": K_RULE if k_auto else None, "n_themes_final": 4,
                   "edits": [] if k_auto else [{"merge": [4, 5]}]},
    }
    write_json(run, folder / "run.json")
    if k_auto:
        ks = pd.DataFrame({"k": range(3, 9), "coherence": [0.31, 0.35, 0.33, 0.30, 0.29, 0.27],
                           "exclusivity": [0.8, 0.85, 0.84, 0.8, 0.78, 0.7],
                           "stability": [0.7, 0.82, 0.75, 0.6, 0.58, 0.5],
                           "chosen": [k == 4 for k in range(3, 9)]})
        write_csv(ks, folder / "k_selection.csv")
    if not tables:
        return folder
    labels = {tid: label for tid, (label, _) in THEMES.items()}
    # The tables skip non-answers; group labels include a hostile one.
    groups = fonction.iloc[: len(answers)].copy()
    groups.iloc[3] = "=cmd|'/C calc'!A0"
    base = answers["status"].isin(["themed", "unassigned", "non-answer"])
    write_csv(_crosstab(answers[base], groups[base], "fonction", "fonction", labels),
              folder / "crosstab_fonction.csv")
    tools = {"visio": answers["text"].str.contains("visio|zoom|Teams"),
             "cloud": pd.Series(rng.random(len(answers)) < 0.4)}
    multi = [_crosstab(answers, np.where(flag, f"{opt}: yes", f"{opt}: no"), "outils", opt,
                       labels) for opt, flag in tools.items()]
    write_csv(pd.concat(multi, ignore_index=True), folder / "crosstab_outils.csv")
    spec = pd.DataFrame([
        {"question": "fonction", "variable": "fonction", "modality": FONCTIONS[1], "term": "dsi",
         "freq_modality": 14, "freq_total": 18, "expected": 6.0, "n_modality_terms": 120,
         "p_value": 1e-4, "specificity": 4.0},
        {"question": "fonction", "variable": "fonction", "modality": FONCTIONS[0],
         "term": "<img src=x onerror=alert(1)>", "freq_modality": 3, "freq_total": 3,
         "expected": 1.0, "n_modality_terms": 130, "p_value": 0.04, "specificity": 1.4},
        {"question": "fonction", "variable": "fonction", "modality": FONCTIONS[0],
         "term": "télétravail", "freq_modality": 9, "freq_total": 12, "expected": 5.0,
         "n_modality_terms": 130, "p_value": 0.01, "specificity": 2.0},
    ])
    write_csv(spec, folder / "specificities_fonction.csv")
    effects = pd.DataFrame([
        {"theme_id": 2, "label": labels[2], "term": f"fonction[{FONCTIONS[1]}]",
         "covariate": "fonction", "level": FONCTIONS[1], "reference": FONCTIONS[0],
         "odds_ratio": 3.2, "ci_low": 1.4, "ci_high": 7.3, "p_value": 0.006, "n": 48,
         "n_mentions": 20, "note": ""},
        {"theme_id": 4, "label": labels[4], "term": "fonction[Autre]", "covariate": "fonction",
         "level": "Autre", "reference": FONCTIONS[0], "odds_ratio": np.nan, "ci_low": np.nan,
         "ci_high": np.nan, "p_value": np.nan, "n": 48, "n_mentions": 9,
         "note": "separation"},
    ])
    write_csv(effects, folder / "effects.csv")
    return folder


_BUILT: dict[str, Path] = {}


def built_report(lang: str = "fr") -> Path:
    """A fixture run folder with its report written, built once per test process and language.

    Drawing the figures takes a few seconds; the report tests only read the result.
    """
    if lang not in _BUILT:
        import atexit
        import shutil
        import tempfile

        from textmine.config import ReportOptions
        from textmine.report import write_report

        root = Path(tempfile.mkdtemp(prefix="textmine-report-test-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        folder = make_run(root / "run")
        write_report(folder, options=ReportOptions(lang=lang))
        _BUILT[lang] = folder
    return _BUILT[lang]
