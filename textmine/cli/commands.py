"""Import every command module so that its ``@app.command`` decorators run."""

from textmine.cli import (  # noqa: F401
    coding_cmds,
    report_cmds,
    survey_cmds,
    tables_cmds,
    text_cmds,
    themes_cmds,
)
