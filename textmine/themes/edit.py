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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from textmine.errors import OptionError
from textmine.themes.labels import top_terms
from textmine.themes.result import FittedThemes

#: A theme id as typed: ASCII digits only (``str.isdigit`` accepts ``²``, which ``int`` refuses,
#: and ``int`` accepts ``٣`` or ``1_0``, which nobody means as a theme id).
_ASCII_ID = re.compile(r"[0-9]+")


def _resolve(ref: str, labels: Sequence[str], where: str) -> int:
    ref = str(ref).strip()
    if _ASCII_ID.fullmatch(ref) and 1 <= int(ref) <= len(labels):
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


# --- textmine edit: edits of a finished run, theme ids kept (issue 15) ---------------------------


@dataclass(frozen=True)
class RunEdits:
    """Edits asked of a finished run, by theme id (as in its themes.csv).

    Attributes
    ----------
    rename : tuple of (int, str)
        Theme id and its new label.
    merge : tuple of (tuple of int, str)
        Ids merged (at least two; the first keeps its id) and the merged theme's label (``""``:
        the first theme's label).
    drop : tuple of int
        Ids dropped (their answers fall to their next theme or become unassigned).
    """

    rename: tuple[tuple[int, str], ...] = ()
    merge: tuple[tuple[tuple[int, ...], str], ...] = ()
    drop: tuple[int, ...] = ()

    def as_record(self) -> dict[str, Any]:
        """The edits as stored in run.json's edit history."""
        return {"rename": [[i, name] for i, name in self.rename],
                "merge": [[list(ids), name] for ids, name in self.merge],
                "drop": list(self.drop)}


def _theme_id(text: str, option: str, spec: str) -> int:
    text = text.strip()
    if not _ASCII_ID.fullmatch(text):
        raise OptionError(
            f"{option} {spec!r}: '{text}' is not a theme id; give the numbers of themes.csv's "
            f"theme_id column, e.g. {option} " + ("3,4=\"New name\"" if option == "--merge"
                                                   else "3=\"New name\"" if option == "--rename"
                                                   else "7") + "."
        )
    return int(text)


def _label(text: str, option: str, spec: str) -> str:
    # A label is one line: newlines, tabs and other control characters (pasted by mistake)
    # would split CSV rows for some readers and Markdown table rows, so they become spaces.
    label = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())
    label = label.strip('"').strip("'").strip()
    if not label:
        raise OptionError(f"{option} {spec!r} gives an empty name; write the name after '='.")
    return label


def parse_run_edits(
    rename: Sequence[str] = (), merge: Sequence[str] = (), drop: Sequence[str] = ()
) -> RunEdits:
    """Read the ``--rename ID=NAME``, ``--merge ID,ID[,...][=NAME]`` and ``--drop ID`` options.

    Raises
    ------
    OptionError
        An id that is not a number, an empty name, a merge of fewer than two themes, no edit.
    """
    renames: dict[int, str] = {}
    for spec in rename:
        ref, sep, name = str(spec).partition("=")
        if not sep:
            raise OptionError(f"--rename {spec!r} has no '='; write --rename 3=\"New name\".")
        theme, label = _theme_id(ref, "--rename", spec), _label(name, "--rename", spec)
        if renames.get(theme, label) != label:
            raise OptionError(f"--rename {theme}: theme {theme} is given two names "
                              f"({renames[theme]!r} and {label!r}); give one --rename per theme.")
        renames[theme] = label
    merges = []
    for spec in merge:
        refs, sep, name = str(spec).partition("=")
        ids = tuple(_theme_id(r, "--merge", spec) for r in refs.split(",") if r.strip())
        if len(set(ids)) < 2:
            raise OptionError(
                f"--merge {spec!r} names one theme; a merge needs two ids or more, e.g. "
                "--merge 3,4=\"New name\"."
            )
        merges.append((ids, _label(name, "--merge", spec) if sep else ""))
    drops: dict[int, None] = {}  # ordered, a theme dropped twice is dropped once
    for spec in drop:
        drops.update((_theme_id(r, "--drop", str(spec)), None)
                     for r in str(spec).split(",") if r.strip())
    edits = RunEdits(tuple(renames.items()), tuple(merges), tuple(drops))
    if not (edits.rename or edits.merge or edits.drop):
        raise OptionError("No edit given; use --rename ID=NAME, --merge ID,ID=NAME or --drop ID.")
    return edits


def edit_fitted(
    model: FittedThemes, edits: RunEdits, *, n_top: int = 10
) -> tuple[FittedThemes, list[str]]:
    """Apply ``edits`` to a fitted (maybe already edited) model; theme ids do not change.

    The model is never refitted: its theme map ``M`` (fitted × current themes) becomes ``M @ E``
    where ``E`` (current × new themes, 0/1) sums merged themes and leaves dropped ones out. A
    merged theme keeps the id of its first member and takes the name given (or that member's
    label); other themes keep their id, label and top terms; nothing is renumbered. Order:
    merges, then drops, then renames.

    Parameters
    ----------
    model : FittedThemes
        The saved model of the run (``model.ids`` are the run's theme ids).
    edits : RunEdits
    n_top : int
        Number of top terms of a merged theme.

    Returns
    -------
    tuple of (FittedThemes, list of str)
        The edited model and one line per edit (for run.json).

    Raises
    ------
    OptionError
        An id that is not a theme of the run, a theme both merged and dropped or in two merges,
        a rename of a merged-away or dropped theme, or edits that leave no theme.
    """
    ids = list(model.ids)
    labels = list(model.labels)
    where = {t: j for j, t in enumerate(ids)}
    known = ", ".join(map(str, ids))

    def pos(theme: int, option: str) -> int:
        if theme not in where:
            raise OptionError(f"{option} {theme}: theme {theme} is not a theme of this run "
                              f"(themes: {known}); see themes.csv.")
        return where[theme]

    owner = list(range(len(ids)))
    new_name: dict[int, str] = {}
    log: list[str] = []
    merged: set[int] = set()
    for group, name in edits.merge:
        idx = [pos(t, "--merge") for t in group]
        again = [ids[i] for i in idx if i in merged]
        if again:
            raise OptionError(f"--merge: theme {again[0]} is in two merges; put all the themes "
                              "of one merge in one --merge.")
        merged.update(idx)
        head = idx[0]
        for i in idx[1:]:
            owner[i] = head
        new_name[head] = name or labels[head]
        log.append(f"merged themes {', '.join(map(str, group))} "
                   f"({'; '.join(labels[i] for i in idx)}) into theme {ids[head]} "
                   f"'{new_name[head]}'")
    dropped = set()
    for theme in edits.drop:
        i = pos(theme, "--drop")
        if i in merged:
            raise OptionError(f"--drop {theme}: theme {theme} is also in a --merge; drop it or "
                              "merge it, not both.")
        dropped.add(i)
        log.append(f"dropped theme {theme} '{labels[i]}'")
    heads = [h for h in range(len(ids)) if owner[h] == h and h not in dropped]
    if not heads:
        raise OptionError(f"These edits drop every theme (themes: {known}); keep at least one.")
    for theme, name in edits.rename:
        i = pos(theme, "--rename")
        if i in dropped or owner[i] != i:
            if i in dropped:
                raise OptionError(f"--rename {theme}: theme {theme} is dropped by these edits; "
                                  "drop it or rename it, not both.")
            raise OptionError(
                f"--rename {theme}: theme {theme} is merged into theme {ids[owner[i]]} by these "
                f"edits; rename theme {ids[owner[i]]} or give the name in the merge "
                f"(--merge ...=\"New name\")."
            )
        log.append(f"renamed theme {theme} '{new_name.get(i, labels[i])}' to '{name}'")
        new_name[i] = name
    E = np.zeros((len(ids), len(heads)))
    for i in range(len(ids)):
        if i not in dropped and owner[i] in heads:
            E[i, heads.index(owner[i])] = 1.0
    theme_map = model.theme_map @ E
    comps = theme_map.T @ model.estimator.components_
    merged_tops = top_terms(comps, model.terms, n_top=n_top)
    is_merged = {owner[i] for i in merged}
    tops = [merged_tops[j] if h in is_merged else list(model.top_terms[h])
            for j, h in enumerate(heads)]
    new_labels = [new_name.get(h, labels[h]) for h in heads]
    # A name given that another theme of the result already has: two themes one could not tell
    # apart in the report (and a label reference, as codebook edits use, would find the first).
    folded = [label.casefold() for label in new_labels]
    for j, h in enumerate(heads):
        if h in new_name and folded.count(folded[j]) > 1:
            other = next(ids[heads[m]] for m, f in enumerate(folded) if f == folded[j] and m != j)
            raise OptionError(
                f"Theme {ids[h]} would be named '{new_labels[j]}' like theme {other}; merge "
                f"them (--merge {ids[h]},{other}) or choose another name."
            )
    seeded = [new_labels[j] for j, h in enumerate(heads) if labels[h] in set(model.seeded)]
    edited = replace(model, theme_map=theme_map, labels=new_labels, top_terms=tops,
                     seeded=seeded, theme_ids=[ids[h] for h in heads])
    return edited, log
