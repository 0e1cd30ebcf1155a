"""Are the coded answers a random sample of the survey? (What the expected precision rests on.)

The expected precision of automatic codes is measured on coded answers the coder did not learn
from; it carries over to the uncoded answers only if the coded ones are like them. Answers
chosen by ``textmine code --next`` (the most uncertain), or the first rows of the survey, are
not: this module says so, from how they were chosen when known, and from two-sample
Kolmogorov–Smirnov tests (:func:`scipy.stats.ks_2samp`) of their length, their highest code
score (out of fold for the coded answers) and their position in the survey against the
uncoded answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import ks_2samp

#: Significance level of each comparison (three tests: about 0.003 overall, Bonferroni).
SAMPLE_ALPHA = 0.001

#: What each compared quantity is called in messages.
_WHAT = {
    "length": ("longer", "shorter", "words per answer"),
    "score": ("more confidently coded", "less confidently coded", "highest code score"),
    "position": ("later in the survey", "earlier in the survey", "row in the survey"),
}


def coded_sample_check(
    coded: dict[str, Sequence[float]],
    uncoded: dict[str, Sequence[float]],
    *,
    chosen_by: str | None = None,
    sampled: bool = False,
    alpha: float = SAMPLE_ALPHA,
) -> dict:
    """Compare the coded answers with the uncoded ones: detectably not a random sample?

    Parameters
    ----------
    coded, uncoded : dict of str to sequence of float
        Per quantity (``length``: words per answer, ``score``: highest code score,
        ``position``: row in the survey), its values for the coded (learnt from) and the
        uncoded answers.
    chosen_by : str, optional
        How the coded answers were chosen when known to be not at random (e.g. ``--next``:
        the most useful answers to code, not a random sample).
    sampled : bool
        Whether the coded answers come from a sheet drawn at random (``textmine sheet
        --sample``): then the advice is to code its rows to the end.
    alpha : float
        Significance level of each Kolmogorov–Smirnov test.

    Returns
    -------
    dict
        ``random`` (False when detectably not a random sample, else True: no difference
        detected), ``chosen_by``, ``tests`` (per quantity: ``statistic``, ``p_value``,
        ``coded_median``, ``uncoded_median``), ``reasons`` (one phrase per difference) and
        ``message`` (one console line, None when nothing was detected).
    """
    tests, reasons = {}, []
    if chosen_by:
        reasons.append(f"chosen by {chosen_by}")
    for name, values in coded.items():
        x = np.asarray(values, dtype=float)
        y = np.asarray(uncoded.get(name, ()), dtype=float)
        if len(x) < 2 or len(y) < 2:
            continue
        result = ks_2samp(x, y)
        mx, my = float(np.median(x)), float(np.median(y))
        tests[name] = {"statistic": round(float(result.statistic), 4),
                       "p_value": float(f"{float(result.pvalue):.3g}"),
                       "coded_median": round(mx, 4), "uncoded_median": round(my, 4)}  # fmt: skip
        if result.pvalue < alpha:
            more, less, unit = _WHAT.get(name, ("larger", "smaller", name))
            reasons.append(
                f"{more if np.mean(x) > np.mean(y) else less} than the uncoded answers, "
                f"{unit} median {mx:.3g} against {my:.3g}, KS p = {float(result.pvalue):.1g}"
            )
    message = None
    if reasons:
        # A sheet drawn with --sample keeps its rows in survey order: a coder who stopped
        # half-way coded early rows only, and was told to draw the sample they drew (trial).
        # Answers chosen by --next are not at random by design, however far a sheet is coded:
        # "code to its end" could not be followed (trial 2026-12-01).
        advice = ("code the sheet's rows to its end (a --sample sheet keeps the survey's order)"
                  if sampled and not chosen_by else
                  "code a random sample (textmine sheet --sample) to check")
        message = ("The coded answers are not a random sample of the survey ("
                   + "; ".join(reasons) + "): their expected precision may not hold on the "
                   f"uncoded answers; {advice}.")
    return {"random": not reasons, "chosen_by": chosen_by, "tests": tests, "reasons": reasons,
            "message": message}
