"""`reinert --help` describes --by as crossing the Reinert classes, not the themes."""


def test_reinert_by_help_names_classes_not_themes(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    res = cli("reinert", "--help")
    assert res.code == 0
    assert "Reinert classes" in res.out
    assert "with the themes" not in res.out
