"""Import every command module so that its ``@app.command`` decorators run.

One module per pipeline module: ``survey_cmds`` -> ``pipeline.survey_run`` and so on.
"""

from textmine.cli import (  # noqa: F401
    ca_cmds,  # issue 17
    coding_cmds,
    concordance_cmds,  # issue 16, sections 2 and 3: concordance, dictionary
    edit_cmds,  # issue 15: textmine edit
    parse_cmds,
    project_cmds,
    reinert_cmds,
    report_cmds,
    survey_cmds,
    tables_cmds,
    themes_cmds,
    workspace_cmds,  # issue 18
)
