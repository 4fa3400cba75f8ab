"""Reliability statistics against independent formulas (scipy, pandas)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from analysis.stats import cronbach_alpha, index_ci, reliability

ITEMS = ["U1", "U2", "U3"]


@pytest.fixture
def complete():
    rng = np.random.default_rng(7)
    base = rng.integers(2, 5, size=60)
    data = np.clip(base[:, None] + rng.integers(-1, 2, size=(60, 3)), 1, 4)
    return pd.DataFrame(data, columns=ITEMS)


def test_ci_without_blanks_is_the_t_interval_of_respondent_means(complete):
    means = complete.mean(axis=1)
    expected = st.t.interval(0.95, len(means) - 1, loc=means.mean(), scale=st.sem(means))
    assert index_ci(complete) == pytest.approx(expected)


def test_cronbach_alpha_matches_the_covariance_formula(complete):
    cov = complete.cov().to_numpy()
    k = cov.shape[0]
    mean_cov = (cov.sum() - np.trace(cov)) / (k * (k - 1))
    expected = k * mean_cov / (np.trace(cov) / k + (k - 1) * mean_cov)
    assert cronbach_alpha(complete.to_numpy(dtype=float)) == pytest.approx(expected)


def test_item_total_and_small_n_warning(complete):
    result = reliability(complete.head(10), ITEMS)
    rest = complete.head(10)[["U2", "U3"]].sum(axis=1)
    assert result.item_total["U1"] == pytest.approx(complete.head(10)["U1"].corr(rest))
    assert any("n = 10 < 30" in w for w in result.warnings)
    assert not reliability(complete, ITEMS).warnings
