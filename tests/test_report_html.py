"""The HTML report: structure, escaping of respondent text, no external resource."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from report_fixtures import HOSTILE, built_report

from textmine.config import ReportOptions
from textmine.errors import OptionError
from textmine.report import write_report
from textmine.report.html import esc


class Collector(HTMLParser):
    """Collects tags (with attributes) and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.style = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style":
            self.style += data
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        """Tags named ``tag`` whose attributes hold the given values (class: one of its words)."""
        return [a for t, a in self.tags if t == tag and all(
            v in (a.get(k) or "").split() or a.get(k) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def page():
    folder = built_report("fr")
    source = (folder / "report.html").read_text(encoding="utf-8")
    parser = Collector()
    parser.feed(source)
    return source, parser


def test_hostile_answers_show_as_text_never_as_markup(page):
    source, parser = page
    assert [a for t, a in parser.tags if t == "script"] == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    text = "".join(parser.text)
    assert HOSTILE[0] in text
    # The formula answer reads as written (the CSV apostrophe is taken off for display).
    assert HOSTILE[1] in text
    # The label with markup stays text: no <i> element anywhere, no event handler attribute.
    assert parser.find("i") == []
    assert parser.find("img", onerror="alert(1)") == []
    assert not any(k.startswith("on") for _, a in parser.tags for k in a)
    assert "=Conseil <i>stratégique</i>" in text


def test_report_is_self_contained(page):
    source, parser = page
    for tag, attrs in parser.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, value)
    assert all((a.get("src") or "").startswith("data:image/png;base64,")
               for a in parser.find("img"))
    assert parser.find("link") == [] and parser.find("iframe") == []
    assert "url(" not in parser.style and "@import" not in parser.style
    csp = [a for a in parser.find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_structure_overview_cards_tables_k_and_record(page):
    _, parser = page
    ids = {a.get("id") for _, a in parser.tags}
    assert {"overview", "themes", "crosstabs", "k-selection", "record"} <= ids
    cards = parser.find("article", **{"class": "card"})
    assert len(cards) == 4
    assert len(parser.find("img", **{"class": "cloud"})) == 4
    assert parser.find("html")[0]["lang"] == "fr"
    text = "".join(parser.text)
    assert "Vue d'ensemble" in text and "Répondants" in text
    assert ("k = 4 choisi automatiquement parmi k = 3 à 8\u00a0: le k qui maximise la moyenne "
            "de la cohérence (NPMI)") in text
    # Heat maps: one per crosstab file; the multiple-choice table shows the ticked options.
    assert len(parser.find("table", **{"class": "heat"})) == 3
    assert "100,0\u202f%***" in text
    # Status rows (no theme, non-answers) by group, set apart from the theme rows.
    assert len(parser.find("td", **{"class": "status"})) == 4
    assert len(parser.find("tr", **{"class": "first-status"})) == 2
    # Effects: odds ratio [CI] with stars; no estimate shows a dash.
    assert "3,20 [1,40–7,30]**" in text and "—" in text


def test_english_report(tmp_path):
    from report_fixtures import make_run

    folder = make_run(tmp_path / "run", tables=False)
    write_report(folder, options=ReportOptions(lang="en", wordclouds=False, xlsx=False))
    parser = Collector()
    parser.feed((folder / "report.html").read_text(encoding="utf-8"))
    assert parser.find("html")[0]["lang"] == "en"
    text = "".join(parser.text)
    assert "Overview" in text and "Vue d'ensemble" not in text
    assert parser.find("img", **{"class": "cloud"}) == []
    assert not (folder / "report.xlsx").exists()


def test_unknown_language_is_an_option_error(tmp_path):
    with pytest.raises(OptionError, match=r"^Report language 'de' is not available; use one of: "
                                          r"fr, en\.$"):
        write_report(tmp_path, options=ReportOptions(lang="de"))


def test_esc_escapes_quotes_and_markup():
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert esc(float("nan")) == "" and esc(None) == ""
