"""Editing themes after fitting: merge, drop and rename (from the codebook or ThemeOptions).

Edits never refit the model: they build a *theme map* M (fitted themes × final themes, 0/1) so
that final weights are ``W @ M`` (a merged theme's weight is the sum of its parts; a dropped
theme's weight disappears, and its answers fall to their next theme or become unassigned).
The map is saved with the model, so ``textmine apply`` codes new answers with the edited themes.

Theme references are the fitted theme ids (``"1"`` .. ``"k"``, as in the run's themes.csv) or
labels (case-insensitive). Order: merges (each group merged into its first member), then drops,
then renames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from textmine.errors import OptionError


def _resolve(ref: str, labels: Sequence[str], where: str) -> int:
    ref = str(ref).strip()
    if ref.isdigit() and 1 <= int(ref) <= len(labels):
        return int(ref) - 1
    folded = [lab.casefold() for lab in labels]
    if ref.casefold() in folded:
        return folded.index(ref.casefold())
    raise OptionError(
        f"Theme '{ref}' in {where} is not a theme of this run; use an id 1..{len(labels)} "
        f"or one of the labels: {', '.join(labels)}."
    )


def edit_map(
    labels: Sequence[str],
    *,
    merge: Sequence[Sequence[str]] = (),
    drop: Sequence[str] = (),
    rename: Mapping[str, str] | Sequence[tuple[str, str]] = (),
) -> tuple[np.ndarray, list[str], list[int], list[str]]:
    """Build the theme map of the edits.

    Returns
    -------
    M : ndarray (k_fitted, k_final)
    new_labels : list of str
        Labels of the final themes (renamed where asked).
    source : list of int
        For each final theme, the fitted theme (0-based) it was built on (first of a merge).
    log : list of str
        Human-readable description of each edit, for run.json.
    """
    k = len(labels)
    owner = list(range(k))  # fitted theme -> fitted theme that now holds it
    log: list[str] = []
    for group in merge:
        idx = [_resolve(r, labels, "'merge'") for r in group]
        head = owner[idx[0]]
        for i in idx[1:]:
            for j in range(k):
                if owner[j] == owner[i]:
                    owner[j] = head
        log.append(f"merged {', '.join(labels[i] for i in idx)} into {labels[idx[0]]}")
    dropped = {_resolve(r, labels, "'drop'") for r in drop}
    for i in sorted(dropped):
        log.append(f"dropped {labels[i]}")
    heads = [h for h in range(k) if owner[h] == h and h not in dropped]
    if not heads:
        raise OptionError("The edits drop every theme; keep at least one theme.")
    renames = dict(rename.items()) if isinstance(rename, Mapping) else dict(rename)
    new_labels = [labels[h] for h in heads]
    for ref, new in renames.items():
        i = owner[_resolve(ref, labels, "'rename'")]
        if i in heads:
            log.append(f"renamed {new_labels[heads.index(i)]} to {new}")
            new_labels[heads.index(i)] = str(new)
    M = np.zeros((k, len(heads)))
    for j in range(k):
        h = owner[j]
        if h in heads and j not in dropped:
            M[j, heads.index(h)] = 1.0
    return M, new_labels, heads, log
