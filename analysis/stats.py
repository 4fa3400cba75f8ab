"""Statistics beyond the regulation: how precise an index is and how consistent an instrument is.

These figures are descriptive aids for staff; nothing here is compared with a threshold, so they
use floating point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SMALL_N = 30


@dataclass(frozen=True)
class Reliability:
    ci_low: float | None
    ci_high: float | None
    cronbach_alpha: float | None
    item_total: dict[str, float | None]
    complete_cases: int
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        def r4(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "ci95_indeks": [r4(self.ci_low), r4(self.ci_high)],
            "ci95_nilai": [
                r4(None if self.ci_low is None else self.ci_low * 25),
                r4(None if self.ci_high is None else self.ci_high * 25),
            ],
            "cronbach_alpha": r4(self.cronbach_alpha),
            "item_total": {k: r4(v) for k, v in self.item_total.items()},
            "n_lengkap": self.complete_cases,
            "peringatan": list(self.warnings),
        }


def index_ci(
    values: pd.DataFrame, scale: int = 4, level: float = 0.95
) -> tuple[float, float] | None:
    """Confidence interval of the index (mean of item NRRs) by linearisation.

    Notes
    -----
    The index is I = (1/k) sum_i S_i / n_i. Its linearised (Taylor) influence value for
    respondent r is z_r = (1/k) sum_i a_ri (x_ri - NRR_i) / n_i * n, where a_ri marks an answer.
    The variance of I is estimated as var(z) / n and the interval uses Student's t with n - 1
    degrees of freedom, clipped to 1-4. Without blanks this is exactly the t-interval of the
    respondents' mean scores.

    References
    ----------
    Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed., ch. 6 (Taylor series).
    """
    x = _to_unit_scale(values, scale)
    answered = ~np.isnan(x)
    x = x[answered.any(axis=1)]
    answered = answered[answered.any(axis=1)]
    n, k = x.shape
    if n < 2:
        return None
    counts = answered.sum(axis=0)
    keep = counts > 0
    x, answered, counts = x[:, keep], answered[:, keep], counts[keep]
    nrr = np.nansum(x, axis=0) / counts
    deviations = np.where(answered, x - nrr, 0.0) / counts * n
    z = deviations.sum(axis=1) / x.shape[1]
    from scipy import stats as st  # imported here: scipy.stats costs most of a CLI start

    index = nrr.mean()
    half = st.t.ppf(0.5 + level / 2, n - 1) * np.sqrt(z.var(ddof=1) / n)
    return max(1.0, float(index - half)), min(4.0, float(index + half))


def cronbach_alpha(complete: np.ndarray) -> float | None:
    """Cronbach's alpha on complete cases: k/(k-1) (1 - sum var_i / var_total).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16, 297-334.
    """
    n, k = complete.shape
    if n < 2 or k < 2:
        return None
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return None
    return float(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_var))


def item_total(complete: np.ndarray, codes: Sequence[str]) -> dict[str, float | None]:
    """Corrected item-total correlation: each item against the sum of the other items."""
    out: dict[str, float | None] = {}
    total = complete.sum(axis=1)
    for i, code in enumerate(codes):
        item, rest = complete[:, i], total - complete[:, i]
        if len(item) < 3 or item.std() == 0 or rest.std() == 0:
            out[code] = None
        else:
            out[code] = float(np.corrcoef(item, rest)[0, 1])
    return out


def reliability(frame: pd.DataFrame, items: Sequence[str], scale: int = 4) -> Reliability:
    """CI of the index, Cronbach's alpha and item-total correlations, with warnings."""
    values = frame[list(items)]
    ci = index_ci(values, scale)
    x = _to_unit_scale(values, scale)
    complete = x[~np.isnan(x).any(axis=1)]
    n = int((~np.isnan(x)).any(axis=1).sum())
    warnings = []
    if n < SMALL_N:
        warnings.append(f"n = {n} < {SMALL_N}: interval dan reliabilitas kurang bermakna")
    if len(complete) < SMALL_N:
        warnings.append(f"hanya {len(complete)} responden menjawab semua item (alpha, korelasi)")
    return Reliability(
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
        cronbach_alpha=cronbach_alpha(complete),
        item_total=item_total(complete, list(items)),
        complete_cases=len(complete),
        warnings=tuple(warnings),
    )


def _to_unit_scale(values: pd.DataFrame, scale: int) -> np.ndarray:
    x = values.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    return x if scale == 4 else 1 + 3 * (x - 1) / (scale - 1)
