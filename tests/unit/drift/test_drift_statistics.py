import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial import distance

from sklambda.drift.statistics import (
    PSI_EPSILON,
    chi_square_goodness_of_fit,
    jensen_shannon_distance,
    ks_two_sample,
    population_stability_index,
)

KS_P_VALUE_RTOL = 1e-9


def _pairs(
    seed: int, count: int, max_size: int, *, ties: bool
) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(count):
        n1, n2 = rng.integers(1, max_size, size=2)
        shift = rng.uniform(0.0, 0.8)
        if ties:
            a = rng.integers(0, 12, n1).astype(float)
            b = rng.integers(0, 12, n2).astype(float) + np.round(shift)
        else:
            a = rng.normal(size=n1)
            b = rng.normal(loc=shift, scale=rng.uniform(0.7, 1.5), size=n2)
        pairs.append((a, b))
    return pairs


# --- PSI -------------------------------------------------------------------------------


def test_psi_is_zero_for_identical_distributions():
    assert population_stability_index([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0


def test_psi_matches_hand_computed_value():
    # (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5) = 0.25 ln 2 + 0.25 ln 1.5
    assert population_stability_index([0.5, 0.5], [0.25, 0.75]) == pytest.approx(
        0.25 * math.log(3.0), rel=1e-12
    )


def test_psi_is_symmetric():
    expected, actual = [0.1, 0.6, 0.3], [0.4, 0.4, 0.2]
    assert population_stability_index(expected, actual) == pytest.approx(
        population_stability_index(actual, expected), rel=1e-12
    )


def test_psi_floors_empty_bins_with_epsilon():
    # Given a bin that is empty in the baseline but holds half the current data
    psi = population_stability_index([1.0, 0.0], [0.5, 0.5])

    # Then its term uses the epsilon floor instead of dividing by zero
    by_hand = (0.5 - 1.0) * math.log(0.5) + (0.5 - PSI_EPSILON) * math.log(0.5 / PSI_EPSILON)
    assert math.isfinite(psi)
    assert psi == pytest.approx(by_hand, rel=1e-12)


def test_psi_rejects_mismatched_bins():
    with pytest.raises(ValueError, match="same bins"):
        population_stability_index([0.5, 0.5], [1.0])


# --- Jensen-Shannon --------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("base", [None, 2.0])
def test_js_distance_matches_scipy(seed, base):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(12))
    q = rng.dirichlet(np.ones(12))
    # Empty bins on one side only exercise the 0 * log 0 convention.
    p[rng.integers(0, 12, 3)] = 0.0

    ours = jensen_shannon_distance(p, q, base=base)

    assert ours == pytest.approx(distance.jensenshannon(p, q, base=base), rel=1e-12, abs=1e-15)


def test_js_distance_normalises_raw_counts_like_scipy():
    counts_p, counts_q = [10, 0, 30], [5, 5, 5]
    assert jensen_shannon_distance(counts_p, counts_q) == pytest.approx(
        distance.jensenshannon(counts_p, counts_q), rel=1e-12
    )


def test_js_distance_of_disjoint_distributions_is_sqrt_ln2():
    assert jensen_shannon_distance([1, 0], [0, 1]) == pytest.approx(math.sqrt(math.log(2)))
    assert jensen_shannon_distance([1, 0], [0, 1], base=2) == pytest.approx(1.0)


# --- chi-square ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("categories", [2, 5, 40, 400])
def test_chi_square_matches_scipy(seed, categories):
    rng = np.random.default_rng(seed)
    baseline = rng.dirichlet(np.ones(categories))
    drifted = rng.dirichlet(np.ones(categories)) if seed % 2 else baseline
    observed = rng.multinomial(int(rng.integers(50, 50_000)), drifted)

    ours = chi_square_goodness_of_fit(observed, baseline)

    reference = stats.chisquare(observed, baseline * observed.sum())
    assert ours.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-300)
    assert ours.degrees_of_freedom == categories - 1


def test_chi_square_scales_unnormalised_expected_proportions():
    observed = [30, 50, 20]
    assert chi_square_goodness_of_fit(observed, [3, 5, 2]).statistic == pytest.approx(0.0)


def test_chi_square_rejects_zero_expected_and_single_category():
    with pytest.raises(ValueError, match="positive"):
        chi_square_goodness_of_fit([1, 2], [1.0, 0.0])
    with pytest.raises(ValueError, match="two categories"):
        chi_square_goodness_of_fit([5], [1.0])


# --- Kolmogorov-Smirnov ----------------------------------------------------------------


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_ks_small_samples_match_scipy_exact_path(seed, ties):
    for a, b in _pairs(seed, count=15, max_size=400, ties=ties):
        ours = ks_two_sample(a, b)
        reference = stats.ks_2samp(a, b)
        assert ours.statistic == pytest.approx(reference.statistic, abs=1e-12)
        assert ours.p_value == pytest.approx(reference.pvalue, rel=KS_P_VALUE_RTOL, abs=1e-300)


@pytest.mark.parametrize("size", [7, 150, 3_000])
def test_ks_equal_sizes_match_scipy(size):
    # scipy switches to a closed form for equal sizes; ours uses one lattice walk for all.
    rng = np.random.default_rng(size)
    a, b = rng.normal(size=size), rng.normal(loc=0.1, size=size)
    ours = ks_two_sample(a, b)
    reference = stats.ks_2samp(a, b)
    assert ours.statistic == pytest.approx(reference.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(reference.pvalue, rel=KS_P_VALUE_RTOL)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_ks_large_samples_match_scipy_asymptotic_path(seed, ties):
    rng = np.random.default_rng(100 + seed)
    for a, b in _pairs(seed, count=4, max_size=4_000, ties=ties):
        large = np.concatenate([b, rng.choice(b, 12_000)])
        ours = ks_two_sample(a, large)
        reference = stats.ks_2samp(a, large)
        assert ours.statistic == pytest.approx(reference.statistic, abs=1e-12)
        assert ours.p_value == pytest.approx(reference.pvalue, rel=KS_P_VALUE_RTOL, abs=1e-300)


@pytest.mark.parametrize("method", ["exact", "asymp"])
def test_ks_explicit_method_matches_scipy(method):
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=300), rng.normal(loc=0.2, size=700)
    ours = ks_two_sample(a, b, method=method)
    reference = stats.ks_2samp(a, b, method=method)
    assert ours.statistic == pytest.approx(reference.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(reference.pvalue, rel=KS_P_VALUE_RTOL)


def test_ks_million_values_against_reference_sample_matches_scipy():
    rng = np.random.default_rng(11)
    reference_sample = np.sort(rng.normal(size=5_000))
    current = np.sort(rng.normal(loc=0.02, size=1_000_000))

    ours = ks_two_sample(reference_sample, current, assume_sorted=True)

    expected = stats.ks_2samp(reference_sample, current)
    assert ours.statistic == pytest.approx(expected.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(expected.pvalue, rel=KS_P_VALUE_RTOL)


def test_ks_identical_samples_give_zero_statistic_and_unit_p_value():
    sample = np.arange(50.0)
    assert ks_two_sample(sample, sample) == (0.0, 1.0)


def test_ks_disjoint_samples_give_unit_statistic():
    result = ks_two_sample(np.arange(20.0), np.arange(100.0, 130.0))
    assert result.statistic == 1.0
    assert result.p_value < 1e-9


def test_ks_rejects_empty_sample_and_unknown_method():
    with pytest.raises(ValueError, match="non-empty"):
        ks_two_sample([], [1.0])
    with pytest.raises(ValueError, match="unknown KS method"):
        ks_two_sample([1.0], [2.0], method="fast")  # type: ignore[arg-type]
