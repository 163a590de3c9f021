"""Evaluation methods: hand-worked examples, a published AHP example, pymcdm cross-checks, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from jiqun.evaluation import (
    AHPInconsistentError,
    ahp_consistency,
    ahp_weights,
    combine_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    fixed_weights,
    gem_score,
    normalize,
    topsis,
    weighted_sum,
)

# --------------------------------------------------------------------------- normalisation


def test_normalisations_by_hand():
    x = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 10.0]])
    d = [1, -1]
    np.testing.assert_allclose(normalize(x, "minmax", d), [[0, 1], [0.5, 0], [1, 1]])
    # vector: column norms sqrt(35) and sqrt(600); the cost column is flipped to 1 - r
    np.testing.assert_allclose(normalize(x, "vector", d)[:, 0], np.array([1, 3, 5]) / math.sqrt(35))
    np.testing.assert_allclose(normalize(x, "vector", d)[:, 1], 1 - np.array([10, 20, 10]) / math.sqrt(600))
    # z-score with the population sd: column 1 mean 3, sd sqrt(8/3); cost column negated
    np.testing.assert_allclose(normalize(x, "zscore", d)[:, 0], np.array([-2, 0, 2]) / math.sqrt(8 / 3))
    np.testing.assert_allclose(normalize(x, "zscore", d)[:, 1], -np.array([-5, 10, -5]) / math.sqrt(50))
    # benchmark: value / reference for benefit, reference / value for cost; cap at 1
    np.testing.assert_allclose(normalize(x, "benchmark", d, reference=[4, 10]), [[0.25, 1], [0.75, 0.5], [1.25, 1]])
    np.testing.assert_allclose(normalize(x, "benchmark", d, reference=[4, 10], cap=1)[2, 0], 1.0)
    np.testing.assert_allclose(normalize(x, "sum"), [[1 / 9, 0.25], [1 / 3, 0.5], [5 / 9, 0.25]])


def test_degenerate_columns_in_normalisation():
    x = np.array([[2.0, 0.0], [2.0, 0.0]])
    np.testing.assert_allclose(normalize(x, "minmax"), 0.5)  # constant: neither best nor worst
    np.testing.assert_allclose(normalize(x, "zscore"), 0.0)
    np.testing.assert_allclose(normalize(x, "vector")[:, 1], 0.0)
    with pytest.raises(ValueError, match="unknown normalisation"):
        normalize(x, "rank")
    with pytest.raises(ValueError, match="reference"):
        normalize(x, "benchmark")
    with pytest.raises(ValueError, match="positive"):
        normalize(x, "benchmark", reference=[1, 0])
    with pytest.raises(ValueError, match="\\+1"):
        normalize(x, "minmax", directions=[1, 0])


# --------------------------------------------------------------------------- entropy


def test_entropy_minmax_by_hand():
    # column 1: r = (0, .5, 1) -> p = (0, 1/3, 2/3); column 2: r = (0, 0, 1) -> p = (0, 0, 1)
    x = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 4.0]])
    e1 = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    e2 = 0.0
    expected = np.array([1 - e1, 1 - e2]) / ((1 - e1) + (1 - e2))
    np.testing.assert_allclose(entropy_weights(x), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(entropy_weights(x, normalization="minmax"), expected, atol=1e-12)


def test_entropy_sum_by_hand():
    x = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 1.0]])  # shares (1/4, 1/4, 1/2) in both columns
    np.testing.assert_allclose(entropy_weights(x, "sum"), [0.5, 0.5])
    x = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 1.0]])  # second column constant -> e = 1 -> weight 0
    np.testing.assert_allclose(entropy_weights(x, "sum"), [1.0, 0.0])


def test_entropy_degenerate_columns():
    x = np.array([[1.0, 5.0, 0.0], [2.0, 5.0, 0.0], [4.0, 5.0, 0.0]])
    w = entropy_weights(x)  # constant columns carry no information: weight 0
    np.testing.assert_allclose(w, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(entropy_weights(x, "sum"), [1.0, 0.0, 0.0])
    # a zero inside an informative column follows 0 ln 0 = 0
    z = np.array([[0.0, 1.0], [1.0, 1.0], [3.0, 2.0]])  # shares (0, 1/4, 3/4) and (1/4, 1/4, 1/2)
    e1 = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(3)
    e2 = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5)) / math.log(3)
    np.testing.assert_allclose(entropy_weights(z, "sum"), np.array([1 - e1, 1 - e2]) / (2 - e1 - e2), atol=1e-12)
    with pytest.raises(ValueError, match="no criterion varies"):
        entropy_weights(np.ones((3, 2)))
    with pytest.raises(ValueError, match="non-negative"):
        entropy_weights([[-1.0, 2.0], [1.0, 1.0]], "sum")
    with pytest.raises(ValueError, match="at least 2"):
        entropy_weights([[1.0, 2.0]])
    with pytest.raises(ValueError, match="minmax"):
        entropy_weights(x, "zscore")
    with pytest.raises(ValueError, match="missing"):
        entropy_weights([[1.0, np.nan], [2.0, 1.0]])


def test_entropy_cost_direction():
    x = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 4.0]])
    flipped = entropy_weights(x, directions=[1, -1])
    # cost column 2: r = (1, 1, 0) -> p = (1/2, 1/2, 0) -> e = ln2 / ln3
    e1 = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    e2 = math.log(2) / math.log(3)
    np.testing.assert_allclose(flipped, np.array([1 - e1, 1 - e2]) / (2 - e1 - e2), atol=1e-12)


# --------------------------------------------------------------------------- CRITIC


def test_critic_by_hand():
    # min-max columns (0, .5, 1), (0, 1, .5), (1, 0, .5): equal sds, correlations .5, -.5, -1
    x = np.array([[1.0, 1.0, 3.0], [2.0, 3.0, 1.0], [3.0, 2.0, 2.0]])
    # conflicts: (1-.5)+(1+.5) = 2, (1-.5)+(1+1) = 2.5, (1+.5)+(1+1) = 3.5
    np.testing.assert_allclose(critic_weights(x), np.array([2, 2.5, 3.5]) / 8, atol=1e-12)


def test_critic_constant_column_gets_zero_and_is_ignored():
    x = np.array([[1.0, 1.0, 3.0, 7.0], [2.0, 3.0, 1.0, 7.0], [3.0, 2.0, 2.0, 7.0]])
    np.testing.assert_allclose(critic_weights(x), np.array([2, 2.5, 3.5, 0]) / 8, atol=1e-12)
    np.testing.assert_allclose(critic_weights([[1.0, 2.0], [2.0, 2.0]]), [1.0, 0.0])
    # perfectly collinear columns: no conflict anywhere, weights follow the sds (here equal)
    np.testing.assert_allclose(critic_weights([[2.0, 2.0], [1.0, 1.0], [1.0, 1.0]]), [0.5, 0.5])
    with pytest.raises(ValueError, match="no criterion varies"):
        critic_weights(np.ones((4, 3)))


# --------------------------------------------------------------------------- AHP

# Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. European
# Journal of Operational Research 48, 9-26: the house-buying example. Criteria: size of
# house, transportation, neighbourhood, age, yard space, modern facilities, general
# condition, financing. Published priorities .173 .054 .188 .018 .031 .036 .167 .333,
# lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
SAATY_1990_HOUSE = [
    [1, 5, 3, 7, 6, 6, "1/3", "1/4"],
    ["1/5", 1, "1/3", 5, 3, 3, "1/5", "1/7"],
    ["1/3", 3, 1, 6, 3, 4, 6, "1/5"],
    ["1/7", "1/5", "1/6", 1, "1/3", "1/4", "1/7", "1/8"],
    ["1/6", "1/3", "1/3", 3, 1, "1/2", "1/5", "1/6"],
    ["1/6", "1/3", "1/4", 4, 2, 1, "1/5", "1/6"],
    [3, 5, "1/6", 7, 5, 5, 1, "1/2"],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
# Same paper: the three houses compared on "size of house", priorities .754 .181 .065,
# lambda_max = 3.136, C.I. = 0.068, C.R. = 0.117.
SAATY_1990_SIZE = [[1, 6, 8], ["1/6", 1, 4], ["1/8", "1/4", 1]]


def test_ahp_published_example_saaty_1990():
    res = ahp_consistency(SAATY_1990_HOUSE)
    np.testing.assert_allclose(res.weights, [.173, .054, .188, .018, .031, .036, .167, .333], atol=5e-4)
    assert round(res.lambda_max, 3) == 9.669
    assert round(res.ci, 3) == 0.238
    assert round(res.cr, 3) == 0.169
    with pytest.raises(AHPInconsistentError, match="CR = 0.169"):
        ahp_weights(SAATY_1990_HOUSE)
    forced = ahp_weights(SAATY_1990_HOUSE, force=True)
    assert round(forced.cr, 3) == 0.169 and np.isclose(forced.sum(), 1)

    size = ahp_consistency(SAATY_1990_SIZE)
    np.testing.assert_allclose(size.weights, [.754, .181, .065], atol=5e-4)
    assert (round(size.lambda_max, 3), round(size.ci, 3), round(size.cr, 3)) == (3.136, 0.068, 0.117)


def test_ahp_consistent_matrix_recovers_weights():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = w[:, None] / w[None, :]
    res = ahp_weights(a)
    np.testing.assert_allclose(res, w, atol=1e-12)
    assert abs(res.cr) < 1e-12 and abs(res.lambda_max - 4) < 1e-9
    # a 3 x 3 judgement by hand: CR = ((lambda - 3) / 2) / 0.58
    small = ahp_weights([[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]])
    assert small.cr < 0.1 and small.argmax() == 0


def test_ahp_refuses_bad_matrices():
    with pytest.raises(ValueError, match="reciprocal"):
        ahp_weights([[1, 3], [0.5, 1]])
    with pytest.raises(ValueError, match="square"):
        ahp_weights([[1, 2, 3]])
    with pytest.raises(ValueError, match="positive"):
        ahp_weights([[1, -2], [-0.5, 1]])
    with pytest.raises(ValueError, match="diagonal"):
        ahp_weights([[2, 1], [1, 2]])
    assert ahp_weights([[1, 0.333], [3, 1]]).cr == 0.0  # 0.333 x 3 is within the tolerance


def test_ahp_against_pymcdm():
    pymcdm = pytest.importorskip("pymcdm")
    from pymcdm.weights.subjective import AHP

    a = np.array([[1, 3, 5, 1 / 2], [1 / 3, 1, 2, 1 / 4], [1 / 5, 1 / 2, 1, 1 / 6], [2, 4, 6, 1]])
    np.testing.assert_allclose(ahp_weights(a), AHP(matrix=a)(), atol=1e-9)
    assert pymcdm is not None


# --------------------------------------------------------------------------- combination, fixed, equal


def test_fixed_equal_and_combined_weights():
    np.testing.assert_allclose(equal_weights(4), 0.25)
    np.testing.assert_allclose(fixed_weights([0.5, 0.3, 0.2]), [0.5, 0.3, 0.2])
    with pytest.raises(ValueError, match="sum to 1"):
        fixed_weights([0.5, 0.3, 0.3])
    a, b = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    np.testing.assert_allclose(combine_weights(a, b), np.array([0.1, 0.06, 0.12]) / 0.28)
    np.testing.assert_allclose(combine_weights(a, b, method="additive", alpha=[0.7, 0.3]),
                               [0.41, 0.27, 0.32])
    with pytest.raises(ValueError, match="multiplicative"):
        combine_weights(a, b, method="geometric")


# --------------------------------------------------------------------------- TOPSIS, weighted sum, GEM


def test_topsis_minmax_by_hand():
    # cost column (1, 2, 5) -> (1, .75, 0); benefit column (3000, 3750, 4500) -> (0, .5, 1)
    x = np.array([[1.0, 3000.0], [2.0, 3750.0], [5.0, 4500.0]])
    d_plus = math.hypot(0.125, 0.25)
    d_minus = math.hypot(0.375, 0.25)
    expected = [0.5, d_minus / (d_plus + d_minus), 0.5]
    np.testing.assert_allclose(topsis(x, [0.5, 0.5], [-1, 1], normalization="minmax"), expected, atol=1e-12)


def test_topsis_vector_by_hand():
    # column norms 5 and 5; v = [[.3, .4], [.4, .3], [0, 0]]; ideal (.4, .4), anti-ideal (0, 0)
    x = np.array([[3.0, 4.0], [4.0, 3.0], [0.0, 0.0]])
    np.testing.assert_allclose(topsis(x, [0.5, 0.5], [1, 1], normalization="vector"), [5 / 6, 5 / 6, 0.0])
    # second column a cost: ideal (.4, 0), anti-ideal (0, .4)
    c = topsis(x, [0.5, 0.5], [1, -1], normalization="vector")
    dp = [math.hypot(0.1, 0.4), math.hypot(0.0, 0.3), math.hypot(0.4, 0.0)]
    dm = [math.hypot(0.3, 0.0), math.hypot(0.4, 0.1), math.hypot(0.0, 0.4)]
    np.testing.assert_allclose(c, [m / (p + m) for p, m in zip(dp, dm)], atol=1e-12)
    np.testing.assert_allclose(topsis(np.ones((3, 2)), [0.5, 0.5], [1, 1]), 0.5)  # all identical


def test_topsis_refuses_bad_input():
    x = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="sum to 1"):
        topsis(x, [0.6, 0.6], [1, 1])
    with pytest.raises(ValueError, match="vector"):
        topsis(x, [0.5, 0.5], [1, 1], normalization="zscore")
    with pytest.raises(ValueError, match="non-negative"):
        topsis(-x, [0.5, 0.5], [1, 1])
    with pytest.raises(ValueError, match="directions"):
        topsis(x, [0.5, 0.5], [1])


def test_weighted_sum_by_hand():
    np.testing.assert_allclose(weighted_sum([[0, 1], [1, 0.5]], [0.25, 0.75]), [0.75, 0.625])


def test_gem_by_hand():
    assert gem_score([10] * 6) == pytest.approx(1000.0)  # pair sums 20: 2.5 * 8000 ** (2/3)
    assert gem_score([5] * 6) == pytest.approx(250.0)
    assert gem_score([1] * 6) == pytest.approx(10.0)
    np.testing.assert_allclose(gem_score([[8, 6, 7, 5, 4, 9]]), [2.5 * (14 * 12 * 13) ** (2 / 3)])
    with pytest.raises(ValueError, match="between 1 and 10"):
        gem_score([0, 5, 5, 5, 5, 5])
    with pytest.raises(ValueError, match="six"):
        gem_score([5, 5, 5])


# --------------------------------------------------------------------------- pymcdm cross-checks


@pytest.mark.parametrize("seed", range(5))
def test_against_pymcdm(seed):
    pytest.importorskip("pymcdm")
    from pymcdm import normalizations
    from pymcdm import weights as pw
    from pymcdm.methods import TOPSIS

    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 100.0, size=(14, 8)) * rng.uniform(0.01, 1000, size=8)
    w = rng.dirichlet(np.ones(8))
    d = rng.choice([-1, 1], size=8)
    np.testing.assert_allclose(entropy_weights(x, normalization="sum"), pw.entropy_weights(x), atol=1e-9, rtol=0)
    np.testing.assert_allclose(critic_weights(x), pw.critic_weights(x), atol=1e-9, rtol=0)
    np.testing.assert_allclose(topsis(x, w, d, normalization="minmax"), TOPSIS()(x, w, d), atol=1e-9, rtol=0)
    np.testing.assert_allclose(topsis(x, w, d, normalization="vector"),
                               TOPSIS(normalizations.vector_normalization)(x, w, d), atol=1e-9, rtol=0)
    # the Chinese-practice variant equals pymcdm's entropy applied to the min-max matrix, shifted
    # off zero (pymcdm's rule sets e_j = 0 for a column with a zero share, ours uses 0 ln 0 = 0)
    assert not np.allclose(entropy_weights(x, "minmax"), pw.entropy_weights(x))


# --------------------------------------------------------------------------- properties

_matrices = arrays(np.float64, st.tuples(st.integers(2, 9), st.integers(1, 6)),
                   elements=st.floats(0.01, 1e4, allow_nan=False, allow_infinity=False))


@settings(max_examples=60, deadline=None)
@given(_matrices, st.data())
def test_topsis_closeness_in_unit_interval(x, data):
    m = x.shape[1]
    w = np.asarray(data.draw(arrays(np.float64, m, elements=st.floats(0.01, 1.0))))
    w = w / w.sum()
    d = np.asarray(data.draw(arrays(np.int64, m, elements=st.sampled_from([-1, 1]))))
    for norm in ("vector", "minmax"):
        c = topsis(x, w, d, normalization=norm)
        assert np.all((c >= -1e-12) & (c <= 1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(_matrices)
def test_entropy_and_critic_weights_sum_to_one(x):
    varying = np.ptp(x, axis=0) > 1e-9 * np.abs(x).max(axis=0)
    if not varying.any():
        return
    for norm in ("minmax", "sum"):
        w = entropy_weights(x, normalization=norm)
        assert np.isclose(w.sum(), 1.0) and np.all(w >= 0)
    w = critic_weights(x)
    assert np.isclose(w.sum(), 1.0) and np.all(w >= -1e-12)


@settings(max_examples=60, deadline=None)
@given(_matrices, st.floats(0.001, 1000.0), st.data())
def test_invariance_to_positive_scaling_of_an_indicator(x, factor, data):
    j = data.draw(st.integers(0, x.shape[1] - 1))
    y = x.copy()
    y[:, j] *= factor
    varying = np.ptp(x, axis=0) > 1e-6 * np.abs(x).max(axis=0)
    if varying.all():
        for norm in ("minmax", "sum"):
            np.testing.assert_allclose(entropy_weights(x, norm), entropy_weights(y, norm), atol=1e-9)
        np.testing.assert_allclose(critic_weights(x), critic_weights(y), atol=1e-9)
    w = np.full(x.shape[1], 1.0 / x.shape[1])
    d = np.ones(x.shape[1])
    for norm in ("vector", "minmax"):
        np.testing.assert_allclose(topsis(x, w, d, norm), topsis(y, w, d, norm), atol=1e-9)
