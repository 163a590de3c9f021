"""The firm-level cascade and ESRI (jiqun.chains.cascade) on hand-checked toy networks, a published
reference (GLcascade/fastcascade C++ parity fixture of ESRIcascade.jl) and invariants (hypothesis)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.chains import (
    cascade,
    esri,
    leontief_essentiality,
    linear_essentiality,
    prepare_network,
    read_essentiality_csv,
    run_cascade,
    validate_essentiality,
)

FAST = settings(max_examples=25, deadline=None)
CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0.0]])   # a -> b -> c
ABC = ["A", "B", "C"]


def _e(rows, labels):
    return pd.DataFrame(rows, index=labels, columns=labels)


def test_linear_chain_downstream_and_upstream():
    # a fails: b loses its only input (hd_b = 0), then c (hd_c = 0); upstream nobody above a.
    hd, hu = cascade(CHAIN, ABC, linear_essentiality(ABC), [1, 0, 0])
    assert hd.ravel().tolist() == [0, 0, 0] and hu.ravel().tolist() == [0, 1, 1]
    # c fails: b loses its only customer (hu_b = 0), then a; downstream nothing below c.
    hd, hu = cascade(CHAIN, ABC, linear_essentiality(ABC), [0, 0, 1])
    assert hd.ravel().tolist() == [1, 1, 0] and hu.ravel().tolist() == [0, 0, 0]


def test_partial_shock_half():
    # psi_a = 0.5: b keeps 1 - 1*0.5 = 0.5, c keeps 0.5 (linear, single input each).
    hd, hu = cascade(CHAIN, ABC, linear_essentiality(ABC), [0.5, 0, 0])
    np.testing.assert_allclose(hd.ravel(), [0.5, 0.5, 0.5])
    np.testing.assert_allclose(hu.ravel(), [0.5, 1, 1])


def test_leontief_vs_linear_two_input_sectors():
    # d buys 3 from a (sector A) and 1 from b (sector B); a fails.
    # Linear: hd_d = 1 - 3/4 = 0.25. Leontief: min(pi_A = 0, pi_B = 1) = 0.
    W = np.zeros((3, 3)); W[0, 2] = 3; W[1, 2] = 1
    sectors = ["A", "B", "D"]
    hd, _ = cascade(W, sectors, linear_essentiality(sectors), [1, 0, 0])
    assert hd[2, 0] == pytest.approx(0.25)
    hd, _ = cascade(W, sectors, leontief_essentiality(sectors), [1, 0, 0])
    assert hd[2, 0] == 0
    # b fails instead: linear 1 - 1/4 = 0.75; Leontief 0.
    hd, _ = cascade(W, sectors, linear_essentiality(sectors), [0, 1, 0])
    assert hd[2, 0] == pytest.approx(0.75)


def test_mixed_essential_and_non_essential():
    # d buys 2 from a (A, essential for D), 6 from b (B, non-essential), 2 from c (C, negligible); total 10.
    W = np.zeros((4, 4)); W[0, 3] = 2; W[1, 3] = 6; W[2, 3] = 2
    s = ["A", "B", "C", "D"]
    E = _e([[0, 0, 0, 2], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]], s)
    # b fails: linear loss 6/10 -> hd_d = 0.4; a half fails: essential pi_A = 0.5; c fails: nothing.
    assert cascade(W, s, E, [0, 1, 0, 0])[0][3, 0] == pytest.approx(0.4)
    assert cascade(W, s, E, [0.5, 0, 0, 0])[0][3, 0] == pytest.approx(0.5)
    assert cascade(W, s, E, [0, 0, 1, 0])[0][3, 0] == 1.0
    # a 0.5 and b 0.5 together: min(pi_A = 0.5, 1 - 0.6*0.5 = 0.7) = 0.5.
    assert cascade(W, s, E, [0.5, 0.5, 0, 0])[0][3, 0] == pytest.approx(0.5)
    # upstream ignores essentiality: d fails -> c loses all its sales (only customer d).
    assert cascade(W, s, E, [0, 0, 0, 1])[1][2, 0] == 0


def test_two_suppliers_of_the_same_essential_sector():
    # d buys 1 from a1 and 3 from a2, both sector A, essential: a1 fails -> pi_A = 1 - 1/4 = 0.75.
    W = np.zeros((3, 3)); W[0, 2] = 1; W[1, 2] = 3
    s = ["A", "A", "D"]
    hd, _ = cascade(W, s, leontief_essentiality(["A", "D"]), [1, 0, 0])
    assert hd[2, 0] == pytest.approx(0.75)


def test_upstream_only_split_sales():
    # a sells 1 to b and 3 to c; c fails: hu_a = 1 - 3/4 = 0.25; downstream a not hit (b, c not its suppliers).
    W = np.zeros((3, 3)); W[0, 1] = 1; W[0, 2] = 3
    hd, hu = cascade(W, ABC, leontief_essentiality(ABC), [0, 0, 1])
    assert hu[0, 0] == pytest.approx(0.25) and hd[0, 0] == 1 and hd[1, 0] == 1


def test_firms_without_links_only_their_own_shock():
    W = np.zeros((3, 3)); W[0, 1] = 1
    hd, hu = cascade(W, ABC, linear_essentiality(ABC), [[0.3, 0], [0, 0], [0, 1]])
    np.testing.assert_allclose(hd[:, 0], [0.7, 0.7, 1]); np.testing.assert_allclose(hu[:, 0], [0.7, 1, 1])
    np.testing.assert_allclose(hd[:, 1], [1, 1, 0]); np.testing.assert_allclose(hu[:, 1], [1, 1, 0])


def test_eps_stopping_rule():
    # cycle a <-> b (linear), psi_a = 0.5: exact fixed point is full collapse of the upstream/downstream
    # alternating halves; with eps = 0.3 the run stops after the first step whose largest drop <= 0.3.
    W = np.array([[0, 1.0], [1.0, 0]])
    s = ["A", "B"]
    net = prepare_network(W, s, linear_essentiality(s))
    # step 1: hd_b = 0.5 (drop 0.5 > 0.3); step 2: hd = (0.5, 0.5), no drop -> stop after 2 steps.
    hd, hu, steps = run_cascade(net, [0.5, 0], eps=0.3, return_steps=True)
    assert steps.tolist() == [2]
    np.testing.assert_allclose(hd.ravel(), [0.5, 0.5])
    # a chain of 5 linear firms with full failure of the first needs 4 moving steps plus one quiet step.
    n = 5
    chain = sp.diags(np.ones(n - 1), 1, shape=(n, n))
    labels = ["S"] * n
    _, _, steps = run_cascade(prepare_network(chain, labels, linear_essentiality(["S"])), np.eye(n)[0],
                              return_steps=True)
    assert steps.tolist() == [n]


def test_glcascade_mixed_classification_reference():
    # Fixture and published numbers from ESRIcascade.jl's test "C++ mixed-classification parity"
    # (checked there against GLcascade's fastcascade C++ routine, p_market = industries, tol 1e-12):
    # firm 1 fails; downstream-only ESRI 0.50687988214742541 with out-strength weights.
    W = np.array([[0, 3, 2, 7, 5, 11], [4, 0, 9, 1, 8, 6], [10, 2, 0, 4, 3, 7],
                  [6, 5, 1, 0, 9, 2], [8, 3, 6, 10, 0, 4], [2, 7, 5, 3, 11, 0.0]])
    s = [1, 2, 3, 1, 2, 3]
    E = pd.DataFrame([[2, 1, 0], [0, 2, 1], [1, 0, 2]], index=[1, 2, 3], columns=[1, 2, 3])
    psi = np.eye(6)[0]
    hd, _ = cascade(W, s, E, psi, eps=1e-12, market=s)
    np.testing.assert_allclose(hd.ravel(), [0.0, 0.6, 0.7894068197483480, 0.0, 0.6111111111111110,
                                            0.8786670560685980], atol=1e-12, rtol=0)
    got = esri(W, s, E, psi[:, None], eps=1e-12, market=s)
    assert got.esri_down.iloc[0] == pytest.approx(0.50687988214742541, abs=1e-12)


def test_p_market_hand_example():
    # a1, a2 in market A with sales 1 and 3 to d (A essential for D). a1 fails (hd_a1 = 0):
    # sigma_a1 = min(1, 1 / (0*1 + 1*3)) = 1/3, so d loses 1/3 * 1/4 -> hd_d = 1 - 1/12.
    W = np.zeros((3, 3)); W[0, 2] = 1; W[1, 2] = 3
    s = ["A", "A", "D"]
    hd, _ = cascade(W, s, leontief_essentiality(["A", "D"]), [1, 0, 0], eps=1e-12, market=s)
    assert hd[2, 0] == pytest.approx(1 - 1 / 12)
    # alone in its market a firm is irreplaceable (sigma = 1): same as without p_market.
    hd_market, _ = cascade(CHAIN, ABC, linear_essentiality(ABC), [1, 0, 0], market=ABC)
    assert hd_market.ravel().tolist() == [0, 0, 0]


def test_esri_identity_equals_single_runs_sparse_dense_and_batch():
    rng = np.random.default_rng(3)
    n = 30
    W = sp.random(n, n, density=0.15, random_state=4, format="csr") * 10
    s = list(rng.choice(["A", "B", "C"], n))
    E = _e(rng.integers(0, 3, (3, 3)), ["A", "B", "C"])
    full = esri(W, s, E)
    assert full.index.tolist() == list(range(n)) and list(full.columns) == ["esri", "esri_down", "esri_up"]
    w = np.asarray(W.sum(axis=1)).ravel(); w = w / w.sum()
    for firm in (0, 7, 19):
        hd, hu = cascade(W, s, E, np.eye(n)[firm])
        assert full.esri.iloc[firm] == pytest.approx(w @ (1 - np.minimum(hd, hu)).ravel())
        assert full.esri_down.iloc[firm] == pytest.approx(w @ (1 - hd).ravel())
    pd.testing.assert_frame_equal(esri(W.toarray(), s, E), full)
    pd.testing.assert_frame_equal(esri(W, s, E, batch=1), full)
    pd.testing.assert_frame_equal(esri(W, s, E, batch=7), full)
    pd.testing.assert_frame_equal(esri(W, s, E, psi=sp.identity(n, format="csc"), batch=4), full)
    labelled = esri(W, s, E, psi=pd.DataFrame(np.eye(n)[:, :2], columns=["x", "y"]))
    assert labelled.index.tolist() == ["x", "y"]
    np.testing.assert_allclose(labelled.to_numpy(), full.iloc[:2].to_numpy())


def test_validation_errors(tmp_path):
    with pytest.raises(ValueError, match="lacks 1 sector label.*'C'"):
        cascade(CHAIN, ABC, linear_essentiality(["A", "B"]), [1, 0, 0])
    with pytest.raises(ValueError, match=r"\('A', 'B'\)=3"):
        validate_essentiality(_e([[0, 3], [1, 1]], ["A", "B"]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        cascade(CHAIN, ABC, linear_essentiality(ABC), [2, 0, 0])
    with pytest.raises(ValueError, match="3 labels"):
        cascade(np.zeros((2, 2)), ABC, linear_essentiality(ABC), [0, 0])
    path = tmp_path / "e.csv"
    path.write_text("\ufeffsector,01,02\n01,2,1\n02,0,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\('02', '02'\)='x'"):
        read_essentiality_csv(path)
    path.write_text("sector,01,02\n01,2,1\n02,0,2\n", encoding="utf-8")
    got = read_essentiality_csv(path, sectors=["01", "02"])
    assert got.loc["01", "02"] == 1 and got.loc["02", "02"] == 2


@st.composite
def networks(draw):
    n = draw(st.integers(2, 7))
    W = np.array(draw(st.lists(st.floats(0, 5), min_size=n * n, max_size=n * n))).reshape(n, n)
    W[W < 2] = 0
    s = draw(st.lists(st.sampled_from(["A", "B"]), min_size=n, max_size=n))
    E = _e(np.array(draw(st.lists(st.integers(0, 2), min_size=4, max_size=4))).reshape(2, 2), ["A", "B"])
    psi = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    return W, s, E, psi


@FAST
@given(networks(), st.floats(0, 1))
def test_properties(network, scale):
    W, s, E, psi = network
    hd, hu = cascade(W, s, E, psi, eps=1e-9)
    assert ((hd >= 0) & (hd <= 1)).all() and ((hu >= 0) & (hu <= 1)).all()
    assert (hd <= 1 - psi[:, None] + 1e-12).all() and (hu <= 1 - psi[:, None] + 1e-12).all()
    hd_less, hu_less = cascade(W, s, E, psi * scale, eps=1e-9)   # smaller shocks never hurt more
    assert (hd_less >= hd - 1e-6).all() and (hu_less >= hu - 1e-6).all()
    if W.sum() > 0:
        table = esri(W, s, E, eps=1e-9)
        assert ((table.to_numpy() >= 0) & (table.to_numpy() <= 1)).all()
        assert (table.esri >= np.maximum(table.esri_down, table.esri_up) - 1e-12).all()


def test_isolated_firm_esri_is_its_own_weight():
    W = np.zeros((4, 4)); W[0, 1] = 2; W[1, 2] = 1
    s = ["A", "A", "B", "B"]
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    got = esri(W, s, leontief_essentiality(["A", "B"]), weights=weights)
    assert got.esri.iloc[3] == pytest.approx(0.4)
