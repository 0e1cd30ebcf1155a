"""The coding workspace: a local web app where researchers code answers with the coder's help.

``db`` (the SQLite file: schema, transactions, audit), ``build`` (filling it from a survey),
``queries`` and ``edits`` (reading and changing codings, memos and the codebook, with version
checks), ``suggest`` (the coder refitted in the background), ``exchange`` (CSV, workbook,
REFI-QDA export; coding-sheet and codebook import) and ``app`` (the Starlette application).
Run it with ``textmine workspace init|serve|export|import``
(:mod:`textmine.pipeline.workspace_run`).
"""
