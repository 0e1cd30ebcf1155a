"""The HTML report: structure, escaping of respondent text, no external resource."""

from __future__ import annotations

import fnmatch
import importlib.resources
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pandas as pd
import pytest
from report_fixtures import HOSTILE, built_report, make_run

from textmine.config import ReportOptions
from textmine.errors import OptionError
from textmine.report import write_report
from textmine.report.html import IndexEntry, environment, render_index

#: Markup, an attribute break-out and a template expression, in one piece of survey text.
PAYLOAD = ('<script>alert(1)</script> "><img src=x onerror=alert(1)> {{ 7*7 }} '
           "{% if 1 %}x{% endif %}")

#: The page templates and the style sheet they include (package data).
TEMPLATES = ("base.html", "report.html", "index.html", "macros.html", "report.css")


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
    assert "3,20**" in text and "[1,40–7,30]" in text and "—" in text  # two lines per cell


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


def test_templates_escape_quotes_and_markup_and_blank_missing_values():
    render = environment().from_string("{{ v }}").render
    assert render(v='<a href="x">&') == "&lt;a href=&#34;x&#34;&gt;&amp;"
    assert render(v=float("nan")) == "" and render(v=None) == "" and render(v=pd.NA) == ""
    assert render(v=0) == "0" and render(v=0.5) == "0.5"
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ missing }}").render()


def _assert_inert(source: str, *, slots: int) -> None:
    """``PAYLOAD`` shows as text ``slots`` times or more and never becomes markup or code."""
    parser = Collector()
    parser.feed(source)
    assert parser.find("script") == [] and parser.find("img", src="x") == []
    assert not any(k.startswith("on") for _, a in parser.tags for k in a)
    assert ("&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
            in source)
    # Template syntax in the data is never evaluated: every copy reads as written.
    text = "".join(parser.text)
    assert text.count(PAYLOAD) >= slots
    assert text.count("{{ 7*7 }}") == text.count("{% if 1 %}x{% endif %}") == text.count(PAYLOAD)


def test_hostile_survey_text_in_every_slot_of_the_report(tmp_path):
    folder = make_run(tmp_path / "run")
    themes = pd.read_csv(folder / "themes.csv")
    themes.loc[1, ["label", "top_terms", "quote_1"]] = [PAYLOAD, f"dsi; {PAYLOAD}", PAYLOAD]
    themes.to_csv(folder / "themes.csv", index=False)
    crosstab = pd.read_csv(folder / "crosstab_fonction.csv")
    # The closed question's column name and one of its groups.
    crosstab["question"] = PAYLOAD
    crosstab.loc[crosstab["theme_id"].astype(str) == "2", "label"] = PAYLOAD
    crosstab.loc[crosstab["modality"] == "Autre", "modality"] = PAYLOAD
    crosstab.to_csv(folder / "crosstab_fonction.csv", index=False)
    effects = pd.read_csv(folder / "effects.csv")
    effects[["covariate", "note", "label"]] = PAYLOAD
    effects.to_csv(folder / "effects.csv", index=False)
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    run["settings"]["note"] = PAYLOAD
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    write_report(folder, options=ReportOptions(title=PAYLOAD, xlsx=False, wordclouds=False))
    source = (folder / "report.html").read_text(encoding="utf-8")
    # Title, theme label (card, heat row, effects row), key term, quote, question heading,
    # group column, effects header, run record.
    _assert_inert(source, slots=10)
    # In attributes too: the effects note (title) and the group chart's alternative text.
    parser = Collector()
    parser.feed(source)
    assert [a for a in parser.find("td") if a.get("title") == PAYLOAD]
    assert [a for a in parser.find("img") if PAYLOAD in (a.get("alt") or "")]


def test_hostile_text_on_the_index_page():
    entries = [IndexEntry(question=PAYLOAD, folder="q_evolution", respondents=10, answers_ok=8,
                          k=2, themes=((1, PAYLOAD, 0.5), (2, "Outils", 0.25))),
               IndexEntry(question="Deux", folder="q_outils", respondents=10, answers_ok=0, k=0,
                          themes=())]
    for lang in ("fr", "en"):
        source = render_index(entries, title=PAYLOAD, lang=lang)
        _assert_inert(source, slots=3)
        parser = Collector()
        parser.feed(source)
        assert [a["href"] for a in parser.find("a")] == ["q_evolution/report.html",
                                                         "q_outils/report.html"]
        assert parser.find("nav") == [] and len(parser.find("article")) == 2


def test_templates_are_package_data_and_nothing_is_marked_safe():
    folder = importlib.resources.files("textmine") / "resources" / "report"
    for name in TEMPLATES:
        text = (folder / name).read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), name
    assert set(TEMPLATES) <= set(environment().list_templates())
    assert environment().get_template("report.html").filename.endswith(
        str(Path("resources", "report", "report.html")))


def test_templates_match_the_package_data_globs_of_pyproject():
    """A wheel ships them (checked by hand: ``pip wheel .`` lists resources/report/*)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["textmine"]
    for name in TEMPLATES:
        assert any(fnmatch.fnmatch(f"resources/report/{name}", g) for g in globs), name
    assert any(d.startswith("jinja2>=3.1,<4") for d in config["project"]["dependencies"])


def test_style_sheet_is_inlined_verbatim(page):
    _, parser = page
    css = (importlib.resources.files("textmine") / "resources" / "report" / "report.css")
    assert css.read_text(encoding="utf-8").strip() in parser.style


def test_report_is_byte_for_byte_reproducible(tmp_path):
    first = make_run(tmp_path / "a")
    second = tmp_path / "b"
    shutil.copytree(first, second)
    options = ReportOptions(xlsx=False, wordclouds=False)
    write_report(first, options=options)
    write_report(second, options=options)
    assert (first / "report.html").read_bytes() == (second / "report.html").read_bytes()
