"""The term chips of theme cards and Reinert class cards: one jinja macro (macros.html) renders
both, with the markup the two templates wrote before it was shared."""

from __future__ import annotations

from textmine.report.html import environment

CARD = {"id": 3, "terms": ["a<b", "c"],
        "concordances": [{"term": "a<b", "lines": [{"left": "l&", "keyword": "k",
                                                      "right": "r"}]},
                         {"term": "c", "lines": []}]}


def _render(call: str, card: dict) -> str:
    template = environment().from_string(
        '{% from "macros.html" import term_chips %}' + call + "{#- end -#}\nNEXT")
    return template.render(card=card)


def test_theme_card_chips_link_to_their_concordance_lines():
    assert _render('{{ term_chips(card, "conc", "Mots clés") }}', CARD) == (
        '<ul class="terms" aria-label="Mots clés">\n'
        '<li><a href="#conc-3-1">a&lt;b</a></li>\n'
        "<li>c</li>\n"
        "</ul>\n"
        '<details class="conc"><summary>Concordances</summary>\n'
        '<table class="kwic" id="conc-3-1"><caption>a&lt;b</caption>\n'
        '<tr><td class="l">l&amp;</td><td class="k">k</td><td class="r">r</td></tr>\n'
        "</table>\n"
        "</details>\n"
        "NEXT")


def test_class_card_chips_have_their_own_anchors_and_no_label():
    html = _render('{{ term_chips(card, "rconc") }}', CARD)
    assert html.startswith('<ul class="terms">\n<li><a href="#rconc-3-1">')
    assert 'id="rconc-3-1"' in html
    plain = _render('{{ term_chips(card, "rconc") }}', {"id": 4, "terms": ["x"],
                                                         "concordances": []})
    assert plain == '<ul class="terms">\n<li>x</li>\n</ul>\nNEXT'
