"""French answers as typed (issue 12 part 2): inclusive writing, quotes after elisions, capitals,
missing accents, hyphenated words, lemmas that are not words, negative subjects, non-answers,
pasted duplicates. Each kind: the issue's smallest input, then other instances."""

from __future__ import annotations

import pandas as pd
import pytest

from textmine.config import ThemeOptions
from textmine.runfolder import COUNT_NON_ANSWER
from textmine.text.corpus import duplicate_note, process_answers
from textmine.text.french import (
    accented,
    degender,
    fallback_lemma,
    fold_capitals,
    restore_accents,
    split_elision_quotes,
)
from textmine.text.nonanswers import answer_status, nonanswer_keys


def _terms(tmp_path, *texts: str) -> list[list[str]]:
    series = pd.Series(list(texts), index=[f"r{i}" for i in range(len(texts))])
    return process_answers(series, cache_dir=tmp_path).terms


# --- 1. inclusive writing -----------------------------------------------------------------


@pytest.mark.parametrize(("written", "base"), [
    ("agent·e·s", "agents"), ("sollicité·e·s", "sollicités"), ("élu·es", "élus"),
    ("Chargé·e", "Chargé"), ("Directeur·rice", "Directeur"), ("étudiant(e)s", "étudiants"),
    ("acteur.rice.s", "acteurs"), ("tou·te·s", "tous"), ("ami-e-s", "amis"),
    ("citoyen·ne·s", "citoyens"), ("citoyen.ne.s", "citoyens"), ("salarié⋅es", "salariés"),
    ("employé•e", "employé"), ("agent(e)", "agent"), ("agent(e)(s)", "agents"),
    ("travailleur·euse·s", "travailleurs"), ("réel·le·s", "réels"), ("tous·tes", "tous"),
    ("élu-e-s", "élus"), ("Salarié.e.s", "Salariés"), ("agent(s)", "agents"),
])
def test_inclusive_forms_become_the_base_form(written, base):
    assert degender(f"Les {written} ici") == f"Les {base} ici"


@pytest.mark.parametrize("text", [
    "c.-à-d. le M. Dupont etc.", "porte-parole", "dis-le-moi", "3.5 %", "www.service-public.fr",
    "fin.les agents", "a-t-il", "Saint-Étienne", "peut-être", "EMAILX",
])
def test_inclusive_rule_leaves_other_dots_and_hyphens(text):
    assert degender(text) == text


def test_inclusive_examples_of_the_issue(tmp_path):
    first, second = _terms(tmp_path, "Les agent·e·s ont été très sollicité·e·s",
                           "Les élu·es demandent des vidéos")
    assert "agent" in first and "solliciter" in first
    assert not any("·" in t for t in first)
    assert second == ["élu", "demander", "vidéo"]


# --- 2. elision followed by a quote ---------------------------------------------------------


@pytest.mark.parametrize("text", [
    "L'«intranet» n'est pas à jour", "L'« intranet » n'est pas à jour",
    "L’“intranet” n'est pas à jour",
    "L'\"intranet\" n'est pas à jour", "L'‹intranet› n'est pas à jour",
])
def test_elision_before_quotes_issue_example(tmp_path, text):
    (terms,) = _terms(tmp_path, text)
    assert terms == ["intranet", "pas_jour"]


@pytest.mark.parametrize(("text", "word"), [
    ('Besoin d\'"outils" adaptés', "outil"), ("Manque d'«outils»", "pas_outil"),
    ("Je m'«organise» seul", "organiser"), ("Jusqu'«ici» tout va bien", "ici"),
    ("Il faut qu'\"elle\" explique les réunions", "réunion"),
    ("C'«était» une catastrophe", "catastrophe"), ("S'«adapter» aux réunions", "adapter"),
])
def test_elision_before_quotes_other_elisions(tmp_path, text, word):
    (terms,) = _terms(tmp_path, text)
    assert word in terms
    assert not any("'" in t or '"' in t for t in terms)


def test_split_elision_quotes_text():
    assert split_elision_quotes("L'\"intranet\"") == "L'intranet\""
    assert split_elision_quotes("d' \"outils\"") == "d'outils\""
    assert split_elision_quotes("aujourd'hui") == "aujourd'hui"


# --- 3. capitals ----------------------------------------------------------------------------


def test_capitals_issue_example(tmp_path):
    lower, upper, title = _terms(tmp_path, "manque de moyens humains", "MANQUE DE MOYENS HUMAINS",
                                 "Manque De Moyens Humains")
    assert upper == lower == title
    assert lower == ["pas_moyen_humain"]


@pytest.mark.parametrize(("shout", "normal"), [
    ("TROP DE RÉUNIONS AVEC LA DSI", "trop de réunions avec la DSI"),
    ("Trop De Réunions Avec La DSI", "trop de réunions avec la DSI"),
    ("LES RH NE RÉPONDENT PAS", "les RH ne répondent pas"),
    ("Besoin D'Outils Collaboratifs", "besoin d'outils collaboratifs"),
])
def test_capitals_other_answers_keep_acronyms(tmp_path, shout, normal):
    a, b = _terms(tmp_path, shout, normal)
    assert a == b


def test_proper_names_in_a_sentence_stay():
    assert fold_capitals("Voir avec Jean Dupont de la DSI", {"dsi"}, {"de", "la"}) == (
        "Voir avec Jean Dupont de la DSI")
    assert fold_capitals("Marie Curie", set(), {"de"}) == "Marie Curie"


# --- 4. missing accents ---------------------------------------------------------------------


@pytest.mark.parametrize(("bare", "accent"), [
    ("reunion", "réunion"), ("equipe", "équipe"), ("securite", "sécurité"), ("elu", "élu"),
    ("tres", "très"), ("deja", "déjà"), ("probleme", "problème"), ("interet", "intérêt"),
    ("etre", "être"), ("numerique", "numérique"), ("strategie", "stratégie"),
])
def test_unaccented_words_get_their_accents(bare, accent):
    assert accented(bare) == accent


@pytest.mark.parametrize("word", ["cote", "a", "ou", "la", "marche", "eleve", "mais", "du",
                                  "des", "internet"])
def test_real_words_and_ambiguous_ones_are_kept(word):
    assert accented(word) is None


def test_accents_merge_features_and_are_reported(tmp_path):
    series = pd.Series(["Trop de reunions avec l'equipe", "Trop de réunions avec l'équipe",
                        "La securite des elus", "La sécurité des élus", "tres bien"],
                       index=list("abcde"))
    corpus = process_answers(series, cache_dir=tmp_path)
    assert corpus.terms[0] == corpus.terms[1]
    assert corpus.terms[2] == corpus.terms[3]
    assert "tre" not in corpus.terms[4]
    accents = corpus.info["accents"]
    assert accents["answers"] == 3
    assert accents["pairs"]["reunions"] == ["réunions", 1]
    assert accents["pairs"]["elus"] == ["élus", 1]
    assert corpus.texts[0] == "Trop de reunions avec l'equipe"  # the answer itself is kept


def test_restore_accents_keeps_capitals():
    merges: dict[str, str] = {}
    assert restore_accents("Reunion SI", merges) == "Réunion SI"
    assert merges == {"reunion": "réunion"}


# --- 5. hyphenated compounds ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "term"), [
    ("Le week-end en famille", "week-end"), ("Les grands-parents isolés", "grand-parent"),
    ("Trop de visio-conférence", "visioconférence"), ("Le porte-parole du service", "porte-parole"),
    ("Réunion l'après-midi", "après-midi"), ("Un e-mail par jour", "mail"),
    ("Les week-ends travaillés", "week-end"), ("Les sous-traitants", "sous-traitant"),
])
def test_hyphenated_words_stay_whole(tmp_path, text, term):
    (terms,) = _terms(tmp_path, text)
    assert term in terms
    assert not {"end", "week", "e", "parent", "conférence", "traitant"} & set(terms)


@pytest.mark.parametrize("text", ["A-t-il compris la réunion ?", "Dit-elle en réunion",
                                  "Ce jour-là en réunion", "Celui-ci en réunion"])
def test_inverted_pronouns_are_not_compounds(tmp_path, text):
    (terms,) = _terms(tmp_path, text)
    assert "réunion" in terms
    assert not any("-" in t for t in terms)


# --- 6. lemmas that are not words -----------------------------------------------------------


@pytest.mark.parametrize(("form", "bad", "good"), [
    ("remarque", "remarqu", "remarque"), ("spécialement", "spécialemer", "spécialement"),
    ("pèse", "pès", "peser"), ("propreté", "propreter", "propreté"),
    ("planète", "planèt", "planète"), ("montagne", "montagn", "montagne"),
    ("homme", "homm", "homme"), ("interdire", "interdir", "interdire"),
])
def test_lemmas_that_are_not_words_fall_back(form, bad, good):
    assert fallback_lemma(form, bad) == good


@pytest.mark.parametrize(("form", "lemma"), [("agents", "agent"), ("élus", "élu"),
                                             ("demandent", "demander")])
def test_good_lemmas_are_kept(form, lemma):
    assert fallback_lemma(form, lemma) == lemma


def test_lemmas_in_answers(tmp_path):
    (terms,) = _terms(tmp_path, "remarque spécialement pèse propreté planète montagne")
    assert {"remarque", "planète", "montagne", "propreté", "peser"} <= set(terms)
    (faut,) = _terms(tmp_path, "il faudrais plus de réunions")
    assert "faillir" not in faut and "réunion" in faut


# --- 7. negative subjects -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Personne n'a répondu aux demandes", ["pas_répondre", "pas_demande"]),
    ("Personne ne répond aux demandes", ["pas_répondre", "pas_demande"]),
    ("Nul ne connaît les outils", ["pas_connaître", "pas_outil"]),
    ("Rien ne fonctionne", ["pas_fonctionner"]),
    ("Aucune réunion n'a eu lieu", ["pas_réunion"]),
])
def test_negative_subjects(tmp_path, text, expected):
    (terms,) = _terms(tmp_path, text)
    for t in expected:
        assert t in terms
    assert "personne" not in terms


def test_personne_as_a_noun_stays(tmp_path):
    (terms,) = _terms(tmp_path, "Une personne référente par service")
    assert "personne" in terms


# --- 8. non-answers -------------------------------------------------------------------------

KEYS = nonanswer_keys()


@pytest.mark.parametrize("text", [
    "Rien de particulier", "Rien de plus", "Pas de remarque", "Aucune remarque", "Non merci",
    "RAS merci", "Non, rien", "Rien d'autre", "Tout est dit", "Pas spécialement",
    # other phrasings, caught by the rule
    "Rien de spécial, merci !", "Pas de remarque particulière.", "Aucun commentaire supplémentaire",
    "Je n'ai rien d'autre à dire", "Non, pas vraiment", "Rien à ajouter pour le moment",
    "RIEN DE PARTICULIER", "Pas d'autre suggestion", "Merci beaucoup", "Non rien à signaler merci",
])
def test_nothing_to_add_is_a_non_answer(text):
    assert answer_status(text, KEYS) == "non-answer"


@pytest.mark.parametrize("text", [
    "Rien ne fonctionne", "Pas de moyens", "Aucun moyen", "Pas assez de temps",
    "Non, trop de réunions", "Rien n'est prévu pour les agents", "Plus de visio",
])
def test_real_answers_with_non_answer_words_stay(text):
    assert answer_status(text, KEYS) == "ok"


def test_non_answers_are_counted_apart(tmp_path):
    series = pd.Series(["Rien de particulier", "Pas de moyens", "Non merci"], index=list("abc"))
    corpus = process_answers(series, cache_dir=tmp_path)
    assert corpus.status == ["non-answer", "ok", "non-answer"]
    assert corpus.info["counts"][COUNT_NON_ANSWER] == 2


# --- 9. pasted duplicates -------------------------------------------------------------------

CAMPAIGN = "Nous demandons le retrait immédiat du projet de fusion des services techniques."


def _campaign() -> pd.Series:
    others = [f"{a} {b}" for a in ("Trop de réunions", "Manque de formation",
                                    "Des outils numériques", "La visio au quotidien")
              for b in ("en télétravail", "avec les élus", "pour les agents", "sans matériel")]
    texts = [CAMPAIGN] * 14 + others
    return pd.Series(texts, index=[f"r{i:02d}" for i in range(30)])


def test_campaign_is_counted_in_corpus_info(tmp_path):
    corpus = process_answers(_campaign(), cache_dir=tmp_path)
    dup = corpus.info["duplicates"]
    assert dup["largest"] == 14 and dup["share"] == pytest.approx(0.4667, abs=1e-3)
    assert dup["n_groups"] == 1 and dup["n_answers"] == 14
    assert dup["note"].startswith("14 answers (47 %) are one identical text")


def test_duplicate_note_other_instances():
    assert "note" not in duplicate_note(["oui", "oui", "non"], ["ok"] * 3)
    texts = ["Visio !"] * 3 + ["visio  !"] * 3 + ["autre"] * 4
    dup = duplicate_note(texts, ["ok"] * 10)
    assert dup["largest"] == 6 and dup["n_groups"] == 2 and "note" in dup
    assert duplicate_note(["a b"] * 5, ["non-answer"] * 5)["largest"] == 0


def test_dedupe_fits_on_distinct_texts_and_counts_every_respondent(tmp_path):
    from textmine.themes.discover import discover_themes

    corpus = process_answers(_campaign(), cache_dir=tmp_path)
    plain = discover_themes(corpus, options=ThemeOptions(k=2, min_df=1))
    dedup = discover_themes(corpus, options=ThemeOptions(k=2, min_df=1, dedupe=True))
    assert dedup.info["dedupe"] is True and plain.info["dedupe"] is False
    assert dedup.info["counts"]["fitted_on"] == 17
    assert plain.info["counts"]["fitted_on"] == 30
    assert len(dedup.answers) == 30
    # every campaign respondent gets the same outcome: the distinct text's themes
    campaign = dedup.answers.iloc[:14]
    assert campaign["status"].nunique() == 1
    assert campaign["themes"].astype(str).nunique() == 1
    # without dedupe the campaign is a theme of its own, with 14 answers
    assert plain.themes["n_answers"].max() >= 14
