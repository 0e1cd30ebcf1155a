"""Hand-written French answers shared by the theme tests (plus checks of the fixture itself)."""

from __future__ import annotations

from textmine.text.corpus import Corpus

# (text, terms) pairs: what the text pipeline would give for these survey fragments.
_OUTILS = [
    ("Visio et Teams tous les jours", ["visio", "teams", "jour"]),
    ("Mise en place de Teams et du cloud", ["mise_en_place", "teams", "cloud"]),
    ("plateforme collaborative + visio", ["plateforme_collaborative", "visio"]),
    ("Le cloud, la visio, Teams", ["cloud", "visio", "teams"]),
    ("Déploiement d'une plateforme collaborative", ["déploiement", "plateforme_collaborative"]),
    ("Outils de visio déployés en urgence", ["outil", "visio", "déployer", "urgence"]),
    ("Teams pour les réunions", ["teams", "réunion"]),
    ("réunions en visio", ["réunion", "visio"]),
    ("cloud et plateforme collaborative", ["cloud", "plateforme_collaborative"]),
    ("Nouveaux outils : Teams, cloud", ["nouveau", "outil", "teams", "cloud"]),
    ("visio visio visio", ["visio", "visio", "visio"]),
    ("des outils collaboratifs en visio", ["outil", "collaboratif", "visio"]),
]
_MOYENS = [
    ("Pas assez de moyens humains", ["pas_assez", "moyens_humains"]),
    ("Manque de moyens et de budget", ["manque_de", "moyen", "budget"]),
    ("Budget en baisse, effectif réduit", ["budget", "baisse", "effectif", "réduire"]),
    ("moyens humains insuffisants", ["moyens_humains", "insuffisant"]),
    ("Pas de budget communication", ["pas_budget", "budget", "communication"]),
    ("effectif insuffisant", ["effectif", "insuffisant"]),
    ("Manque de moyens", ["manque_de", "moyen"]),
    ("baisse du budget et des effectifs", ["baisse", "budget", "effectif"]),
    ("Trop peu de moyens humains", ["trop_peu", "moyens_humains"]),
    ("budget insuffisant", ["budget", "insuffisant"]),
    ("moins d'effectif, moins de budget", ["moins", "effectif", "budget"]),
]
_DSI = [
    ("Travail avec la DSI", ["travail", "dsi"]),
    ("La DSI a pris la main sur les outils", ["dsi", "prendre", "main", "outil"]),
    ("Conflit avec le service informatique", ["conflit", "service_informatique"]),
    ("collaboration DSI renforcée", ["collaboration", "dsi", "renforcer"]),
    ("Le service informatique décide seul", ["service_informatique", "décider", "seul"]),
    ("La DSI et la com travaillent ensemble", ["dsi", "com", "travailler", "ensemble"]),
    ("rapprochement avec la DSI", ["rapprochement", "dsi"]),
    ("service informatique débordé", ["service_informatique", "débordé"]),
    ("DSI et service informatique en première ligne", ["dsi", "service_informatique", "ligne"]),
    ("collaboration avec la DSI", ["collaboration", "dsi"]),
]
_OTHER = [
    ("RAS", [], "non-answer"),
    ("", [], "empty"),
    ("Je ne sais pas", [], "non-answer"),
    ("Mme Dupont a tout géré", ["gérer"], "ok"),
]


#: Hand-made corpora are real :class:`textmine.text.corpus.Corpus` objects built without spaCy.
HandCorpus = Corpus


def make_corpus() -> HandCorpus:
    """About 37 answers on three themes (tools, resources, IT department) plus non-answers."""
    rows = [(t, terms, "ok") for t, terms in _OUTILS + _MOYENS + _DSI] + _OTHER
    ids = [f"r{i:03d}" for i in range(1, len(rows) + 1)]
    masked = [t.replace("Mme Dupont", "[PERSONNE]") for t, _, _ in rows]
    return HandCorpus(
        ids=ids,
        texts=[t for t, _, _ in rows],
        masked=masked,
        status=[s for _, _, s in rows],
        terms=[list(terms) for _, terms, _ in rows],
    )


#: Respondent ids of each hand-written theme (for recovery tests).
GROUPS = {
    "outils": [f"r{i:03d}" for i in range(1, 13)],
    "moyens": [f"r{i:03d}" for i in range(13, 24)],
    "dsi": [f"r{i:03d}" for i in range(24, 34)],
}


def test_fixture_ids_are_unique_and_groups_cover_ok_answers():
    corpus = make_corpus()
    assert len(set(corpus.ids)) == len(corpus.ids)
    grouped = {i for ids in GROUPS.values() for i in ids}
    ok = {i for i, s, t in zip(corpus.ids, corpus.status, corpus.texts, strict=True)
          if s == "ok" and "Dupont" not in t}
    assert grouped == ok
