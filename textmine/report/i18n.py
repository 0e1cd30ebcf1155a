"""Report wording in French (default) and English.

Every piece of fixed text in the HTML report, the workbook and the paper tables comes from here, so
that a translation is one edit in one place.
"""

from __future__ import annotations

from textmine.config import REPORT_LANGUAGES
from textmine.errors import OptionError

#: Languages a report can be written in.
LANGUAGES = REPORT_LANGUAGES

_FR: dict[str, str] = {
    "lang": "fr",
    "title": "Rapport textmine",
    "subtitle": "Thèmes des réponses à la question ouverte",
    "overview": "Vue d'ensemble",
    "respondents": "Répondants",
    "answers_ok": "Réponses exploitables",
    "themed": "Réponses classées dans un thème",
    "nonanswers": "Non-réponses (RAS, NSP…)",
    "empty": "Réponses vides",
    "unassigned": "Réponses sans thème",
    "k": "Nombre de thèmes",
    "k_why": "Choix du nombre de thèmes",
    "pasted": "{n} réponses ({share}) sont un même texte, collé tel quel",
    "pasted_dedupe": "les thèmes ont été trouvés sur les textes distincts (--dedupe) ; les "
    "effectifs restent comptés par répondant.",
    "pasted_advice": "ce texte pèse sur les thèmes ; --dedupe les trouve sur les textes "
    "distincts.",
    "k_selection": "Choix du nombre de thèmes",
    "k_selection_caption": "Critères calculés pour chaque nombre de thèmes ; le trait vertical "
    "marque le nombre retenu.",
    "themes": "Thèmes",
    "theme": "Thème",
    "label": "Libellé",
    "top_terms": "Termes clés",
    "n_answers": "Réponses",
    "share": "Part",
    "prevalence": "Prévalence",
    "ci95": "IC 95 %",
    "stability": "Stabilité",
    "unstable": "instable : sur un autre échantillon des réponses, ce thème change",
    "under_assigned": "réponses écrivant ses mots clés sans y être classées",
    "quotes": "Citations",
    "quote": "Citation",
    "no_quotes": "Aucune citation.",
    "wordcloud_alt": "Nuage de mots du thème",
    "prevalence_chart": "Prévalence des thèmes",
    "prevalence_caption": "Part des réponses exploitables qui relèvent de chaque thème, avec "
    "l'intervalle de confiance à 95 % (Wilson).",
    "share_axis": "Part des réponses (%)",
    "crosstabs": "Thèmes selon les questions fermées",
    "trend_p": "p tendance",
    "trend_rule": "Question ordonnée : « p tendance » est le test de tendance de "
    "Cochran–Armitage (scores 0, 1, 2… dans l'ordre des modalités, non ajusté) ; les marques et "
    "les couleurs suivent le test d'indépendance (χ² ou test exact, p ajusté par "
    "Benjamini–Hochberg). Une tendance significative avec un χ² non significatif signale un "
    "écart régulier d'une modalité à l'autre.",
    "crosstab_caption": "Pourcentage des répondants de chaque modalité qui évoquent le thème. "
    "Couleur : résidu ajusté (bleu : plus souvent qu'attendu, rouge : moins souvent ; teinte "
    "pâle : écart non significatif). "
    "* |r| ≥ 1,96, ** |r| ≥ 2,58, *** |r| ≥ 3,29 ; seules les cellules d'un test "
    "significatif après correction sont marquées.",
    "by_group_chart": "Prévalence par modalité",
    "by_group_caption": "Part des répondants de chaque modalité qui évoquent le thème, avec "
    "l'intervalle de confiance à 95 % (Wilson).",
    "test": "Test",
    "p_adjusted": "p ajusté",
    "cramers_v": "V de Cramér",
    "variable": "Variable",
    "modality": "Modalité",
    "n": "Effectif",
    "n_modality": "Effectif de la modalité",
    "pct": "% de la modalité",
    "expected": "Attendu",
    "adj_residual": "Résidu ajusté",
    "p_value": "p",
    "flag": "Signal",
    "significance": "Significativité",
    "specificities": "Vocabulaire spécifique",
    "specificities_caption": "Termes sur-employés par chaque modalité (spécificités).",
    "term": "Terme",
    "freq_modality": "Fréquence dans la modalité",
    "freq_total": "Fréquence totale",
    "specificity": "Spécificité",
    "effects": "Effets (régression logistique)",
    "odds_ratio": "Rapport de cotes",
    "ci_low": "IC bas",
    "ci_high": "IC haut",
    "run_record": "Traçabilité de l'analyse",
    "run_record_caption": "Réglages, versions et fichier d'entrée : de quoi refaire l'analyse.",
    "key": "Clé",
    "value": "Valeur",
    "summary": "Synthèse",
    "answers": "Réponses",
    "respondent_id": "Identifiant",
    "text": "Réponse (données personnelles masquées)",
    "status": "Statut",
    "theme_id": "Thème principal",
    "weight": "Poids du thème",
    "themes_all": "Thèmes",
    "run_info": "Informations",
    "question": "Question",
    "input": "Fichier",
    "generated": "Produit par textmine",
    "status_themed": "classée",
    "status_unassigned": "sans thème",
    "status_non-answer": "non-réponse",
    "status_empty": "vide",
    "is_quote": "Citation retenue",
    "copies": "Réponses identiques",
    "respondent_ids": "Répondants",
    "none": "aucun",
    "contents": "Sommaire",
    "index_title": "Rapports textmine",
    "index_intro": "Un rapport par question ouverte.",
    "report_link": "Ouvrir le rapport",
    "sub_report_reinert": "Classification de Reinert (classes, profils, dendrogramme)",
    "folder": "Dossier",
    "legend_more": "plus souvent qu'attendu",
    "legend_less": "moins souvent qu'attendu",
    "sheet_crosstabs": "Tableaux croisés",
    # issue 15: wide tables for a paper, answers sheet with closed questions and 0/1 themes
    "sheet_wide": "Tableaux (page)",
    "count_note": "Entre parenthèses : nombre de répondants de la modalité qui évoquent le "
    "thème.",
    "weighted_note": "Pourcentages pondérés (poids de sondage) ; les effectifs (n) ne sont pas "
                     "pondérés.",
    "wide_note": "Par thème et modalité : effectif (n) et pourcentage de la modalité ; "
    "* |r| ≥ 1,96, ** |r| ≥ 2,58, *** |r| ≥ 3,29 (cellules d'un test significatif après "
    "correction).",
    "n_short": "n",
    "effects_caption": "Rapports de cotes [IC 95 %] d'une régression logistique par thème "
    "(mentionner le thème selon toutes les covariables ensemble) ; référence de chaque "
    "covariable entre parenthèses. * p < 0,05, ** p < 0,01, *** p < 0,001 ; « — » : "
    "estimation impossible (voir le classeur).",
    "ref": "réf.",
    "crit_coherence": "cohérence (NPMI)",
    "crit_exclusivity": "exclusivité",
    "crit_stability_gain": "stabilité au-delà du hasard",
    "crit_stability_null": "stabilité sur données sans structure",
    "k_rule_null": "le k dont la stabilité entre sous-échantillons de {s} (indice de Rand "
    "ajusté) dépasse le plus celle du même modèle sur des données sans structure (colonnes "
    "mélangées) ; à {t} près, le plus petit k",
    "k_edge": "Ce k est le {edge} essayé : les réponses contiennent peut-être {more} thèmes ; "
    "élargir la plage (k_min / k_max du textmine.toml) ou fixer --k.",
    "edge_smallest": "plus petit",
    "edge_largest": "plus grand",
    "more_smallest": "moins de",
    "more_largest": "plus de",
    "method_semantic": "Modèle « semantic » (sens des phrases et mots ensemble) choisi "
    "automatiquement : {n} réponses (médiane {words} mots, {vocab} termes) suffisent pour les "
    "regrouper par le sens (au moins {min}).",
    "method_short": "Modèle « short » choisi automatiquement : seules {n} réponses ont des "
    "termes, moins que les {min} nécessaires pour les regrouper par le sens.",
    "method_nmf": "Modèle « nmf » choisi automatiquement : la grille de codage donne des thèmes "
    "amorcés, ajustés sur les mots pour que chacun garde ses termes.",
    "crit_stability": "stabilité entre graines",
    "model_term": "Coefficient du modèle",
    "k_codebook": "La grille de codage fournit {n} thèmes de départ.",
    "k_tried": " parmi k = {lo} à {hi}",
    "k_auto": "k = {k} choisi automatiquement{tried}\u00a0: {rule}.",
    "k_rule_mean": "le k qui maximise la moyenne de la cohérence (NPMI), de l'exclusivité "
    "et de la stabilité entre graines, chacune ramenée entre 0 et 1 ; le plus petit en cas "
    "d'égalité",
    "k_rule_stability": "parmi les k dont la stabilité entre graines atteint {s} (tous les k "
    "sinon), celui dont la cohérence (NPMI) est la plus forte ; à égalité (3 décimales), la "
    "meilleure exclusivité, puis le plus petit k",
    "k_fixed": "k = {k} fixé dans les réglages.",
    "k_extra": "S'y ajoutent {n} thèmes libres, trouvés dans les réponses que la grille ne "
    "couvre pas (réglage extra_themes).",
    "k_final": "Après fusion, suppression ou ajout de thèmes : {n} thèmes.",
    "covariate": "Covariable",
    "level": "Niveau",
    "reference": "Référence",
    "n_mentions": "Mentions",
    "note": "Note",
    "trend_p_value": "p tendance",
    "row_type": "Type de ligne",
    "n_modality_terms": "Termes de la modalité",
    "sheet_effects": "Effets",
    "sheet_specificities": "Spécificités",
}

_EN: dict[str, str] = {
    "lang": "en",
    "title": "textmine report",
    "subtitle": "Themes in the answers to the open question",
    "overview": "Overview",
    "respondents": "Respondents",
    "answers_ok": "Usable answers",
    "themed": "Answers assigned to a theme",
    "nonanswers": "Non-answers (n/a, don't know…)",
    "empty": "Empty answers",
    "unassigned": "Answers without a theme",
    "k": "Number of themes",
    "k_why": "Choice of the number of themes",
    "pasted": "{n} answers ({share}) are one identical text",
    "pasted_dedupe": "the themes were found on distinct texts (--dedupe); counts are still per "
    "respondent.",
    "pasted_advice": "this text weighs on the themes; --dedupe finds them on distinct texts.",
    "k_selection": "Choice of the number of themes",
    "k_selection_caption": "Criteria computed for each number of themes; the vertical line marks "
    "the number kept.",
    "themes": "Themes",
    "theme": "Theme",
    "label": "Label",
    "top_terms": "Key terms",
    "n_answers": "Answers",
    "share": "Share",
    "prevalence": "Prevalence",
    "ci95": "95% CI",
    "stability": "Stability",
    "unstable": "unstable: on another sample of the answers, this theme changes",
    "under_assigned": "answers writing its key words without being in it",
    "quotes": "Quotes",
    "quote": "Quote",
    "no_quotes": "No quote.",
    "wordcloud_alt": "Word cloud of theme",
    "prevalence_chart": "Theme prevalence",
    "prevalence_caption": "Share of usable answers that belong to each theme, with the 95% "
    "confidence interval (Wilson).",
    "share_axis": "Share of answers (%)",
    "crosstabs": "Themes by closed question",
    "trend_p": "Trend p",
    "trend_rule": "Ordered question: \"Trend p\" is the Cochran–Armitage trend test (scores "
    "0, 1, 2… in level order, not adjusted); marks and colours follow the test of independence "
    "(chi-square or exact test, p adjusted by Benjamini–Hochberg). A significant trend with a "
    "non-significant chi-square means a steady change from one level to the next.",
    "crosstab_caption": "Percentage of respondents in each group who mention the theme. "
    "Colour: adjusted residual (blue: more often than expected, red: less often; pale: "
    "not significant). "
    "* |r| ≥ 1.96, ** |r| ≥ 2.58, *** |r| ≥ 3.29; only cells of a test that is "
    "significant after correction are marked.",
    "by_group_chart": "Prevalence by group",
    "by_group_caption": "Share of respondents in each group who mention the theme, with the 95% "
    "confidence interval (Wilson).",
    "test": "Test",
    "p_adjusted": "adjusted p",
    "cramers_v": "Cramér's V",
    "variable": "Variable",
    "modality": "Group",
    "n": "Count",
    "n_modality": "Group size",
    "pct": "% of group",
    "expected": "Expected",
    "adj_residual": "Adjusted residual",
    "p_value": "p",
    "flag": "Flag",
    "significance": "Significance",
    "specificities": "Specific vocabulary",
    "specificities_caption": "Terms over-used by each group (specificities).",
    "term": "Term",
    "freq_modality": "Frequency in group",
    "freq_total": "Total frequency",
    "specificity": "Specificity",
    "effects": "Effects (logistic regression)",
    "odds_ratio": "Odds ratio",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "run_record": "Run record",
    "run_record_caption": "Settings, versions and input file: what it takes to redo the analysis.",
    "key": "Key",
    "value": "Value",
    "summary": "Summary",
    "answers": "Answers",
    "respondent_id": "Respondent",
    "text": "Answer (personal data masked)",
    "status": "Status",
    "theme_id": "Main theme",
    "weight": "Theme weight",
    "themes_all": "Themes",
    "run_info": "Run information",
    "question": "Question",
    "input": "Input file",
    "generated": "Made with textmine",
    "status_themed": "themed",
    "status_unassigned": "unassigned",
    "status_non-answer": "non-answer",
    "status_empty": "empty",
    "is_quote": "Selected quote",
    "copies": "Identical answers",
    "respondent_ids": "Respondents",
    "none": "none",
    "contents": "Contents",
    "index_title": "textmine reports",
    "index_intro": "One report per open question.",
    "report_link": "Open the report",
    "sub_report_reinert": "Reinert classification (classes, profiles, dendrogram)",
    "folder": "Folder",
    "legend_more": "more often than expected",
    "legend_less": "less often than expected",
    "sheet_crosstabs": "Crosstabs",
    "sheet_wide": "Tables (print)",
    "count_note": "In brackets: number of respondents of the group who mention the theme.",
    "weighted_note": "Weighted percentages (survey weights); the counts (n) are unweighted.",
    "wide_note": "By theme and group: count (n) and percentage of the group; "
    "* |r| ≥ 1.96, ** |r| ≥ 2.58, *** |r| ≥ 3.29 (cells of a test significant after "
    "correction).",
    "n_short": "n",
    "effects_caption": "Odds ratios [95% CI] of one logistic regression per theme (mentioning "
    "the theme given all covariates together); reference of each covariate in brackets. "
    "* p < 0.05, ** p < 0.01, *** p < 0.001; \u201c—\u201d: no estimate (see the workbook).",
    "ref": "ref.",
    "crit_coherence": "coherence (NPMI)",
    "crit_exclusivity": "exclusivity",
    "crit_stability_gain": "stability beyond chance",
    "crit_stability_null": "stability on structure-free data",
    "k_rule_null": "the k whose stability across {s} resamples (adjusted Rand index) most "
    "exceeds that of the same model on structure-free data (columns shuffled); within {t}, the "
    "smaller k",
    "k_edge": "This k is the {edge} tried: the answers may hold {more} themes; widen the range "
    "(k_min / k_max in textmine.toml) or set --k.",
    "edge_smallest": "smallest",
    "edge_largest": "largest",
    "more_smallest": "fewer",
    "more_largest": "more",
    "method_semantic": "Model \u201csemantic\u201d (sentence meaning and words together) chosen "
    "automatically: {n} answers (median {words} words, {vocab} terms) are enough to group them "
    "by meaning (at least {min}).",
    "method_short": "Model \u201cshort\u201d chosen automatically: only {n} answers have terms, "
    "fewer than the {min} needed to group them by meaning.",
    "method_nmf": "Model \u201cnmf\u201d chosen automatically: the codebook gives seeded "
    "themes, fitted on words so that each keeps its seed terms.",
    "crit_stability": "stability across seeds",
    "model_term": "Model term",
    "k_codebook": "The codebook gives {n} starting themes.",
    "k_tried": " among k = {lo} to {hi}",
    "k_auto": "k = {k} chosen automatically{tried}: {rule}.",
    "k_rule_mean": "the k that maximises the mean of NPMI coherence, exclusivity and "
    "stability across seeds, each scaled to 0-1; the smallest on ties",
    "k_rule_stability": "among the k whose stability across seeds reaches {s} (all k if none), "
    "the one with the highest NPMI coherence; ties (3 decimals) go to higher exclusivity, then "
    "to the smaller k",
    "k_fixed": "k = {k} set in the settings.",
    "k_extra": "{n} free themes are added, found in the answers the codebook does not cover "
    "(setting extra_themes).",
    "k_final": "After merging, dropping or adding themes: {n} themes.",
    "covariate": "Covariate",
    "level": "Level",
    "reference": "Reference",
    "n_mentions": "Mentions",
    "note": "Note",
    "trend_p_value": "trend p",
    "row_type": "Row type",
    "n_modality_terms": "Terms in group",
    "sheet_effects": "Effects",
    "sheet_specificities": "Specificities",
}

_STRINGS = {"fr": _FR, "en": _EN}

# -- Reinert runs (issue 16): the generic sections speak of classes, not themes ----------------
#: Wording that differs when the run is a Reinert classification (a respondent's primary class
#: plays the part of the theme in the overview, cards, crosstabs and workbook).
_CLASSES: dict[str, dict[str, str]] = {
    "fr": {
        "subtitle": "Classes (méthode Reinert) des réponses à la question ouverte",
        "themed": "Réponses classées",
        "unassigned": "Réponses non classées",
        "k": "Nombre de classes",
        "k_why": "Choix du nombre de classes",
        "themes": "Classes",
        "theme": "Classe",
        "wordcloud_alt": "Nuage de mots de la classe",
        "prevalence_chart": "Taille des classes",
        "prevalence_caption": "Part des réponses exploitables dont c'est la classe principale, "
        "avec l'intervalle de confiance à 95 % (Wilson).",
        "crosstabs": "Classes selon les questions fermées",
        "crosstab_caption": "Pourcentage des répondants de chaque modalité dont c'est la classe "
        "principale. Couleur : résidu ajusté (bleu : plus souvent qu'attendu, rouge : moins "
        "souvent ; teinte pâle : écart non significatif). "
        "* |r| ≥ 1,96, ** |r| ≥ 2,58, *** |r| ≥ 3,29 ; seules les cellules d'un test "
        "significatif après correction sont marquées.",
        "by_group_caption": "Part des répondants de chaque modalité dont c'est la classe "
        "principale, avec l'intervalle de confiance à 95 % (Wilson).",
        "theme_id": "Classe principale",
        "weight": "Poids de la classe",
        "themes_all": "Classes",
        "status_themed": "classée",
        "status_unassigned": "non classée",
    },
    "en": {
        "subtitle": "Classes (Reinert method) of the answers to the open question",
        "themed": "Answers classified",
        "unassigned": "Answers not classified",
        "k": "Number of classes",
        "k_why": "Choice of the number of classes",
        "themes": "Classes",
        "theme": "Class",
        "wordcloud_alt": "Word cloud of the class",
        "prevalence_chart": "Class sizes",
        "prevalence_caption": "Share of the usable answers whose primary class it is, with the "
        "95% confidence interval (Wilson).",
        "crosstabs": "Classes by closed question",
        "crosstab_caption": "Percentage of the respondents of each modality whose primary class "
        "it is. Colour: adjusted residual (blue: more often than expected, red: less often; pale: "
        "not significant). * |r| ≥ 1.96, ** |r| ≥ 2.58, *** |r| ≥ 3.29; only cells of a test "
        "significant after correction are marked.",
        "by_group_caption": "Share of the respondents of each modality whose primary class it "
        "is, with the 95% confidence interval (Wilson).",
        "theme_id": "Primary class",
        "weight": "Class weight",
        "themes_all": "Classes",
        "status_themed": "classified",
        "status_unassigned": "not classified",
    },
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if a report can be written in it.

    Raises
    ------
    OptionError
        If ``lang`` is not one of :data:`LANGUAGES`.
    """
    if lang not in _STRINGS:
        raise OptionError(f"Report language {lang!r} is not available; use one of: fr, en.")
    return lang


def strings(lang: str, *, classes: bool = False) -> dict[str, str]:
    """Return the report wording for ``lang`` (``"fr"`` or ``"en"``).

    With ``classes`` (a Reinert run), the generic sections say "Classes" instead of "Thèmes".
    """
    base = _STRINGS[check_lang(lang)]
    return {**base, **_CLASSES[lang]} if classes else base


def number(value: float, lang: str, *, digits: int = 1) -> str:
    """Format ``value`` with ``digits`` decimals and the decimal mark of ``lang``."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def percent(fraction: float, lang: str, *, digits: int = 1) -> str:
    """Format a fraction as a percentage (French puts a narrow space before ``%``)."""
    text = number(100 * fraction, lang, digits=digits)
    return f"{text}\u202f%" if lang == "fr" else f"{text}%"


def colon(lang: str) -> str:
    """The colon of ``lang`` with its spaces (French puts a no-break space before it)."""
    return "\u00a0: " if lang == "fr" else ": "


def heading(title: str, detail: str, lang: str) -> str:
    """Join a title and its detail with the colon of ``lang``."""
    return f"{title}{colon(lang)}{detail}"
