"""Empirical-Bayes estimates of the joint model's Dirichlet-process concentrations: the
maximum-likelihood α of one process from its number of draws and distinct values (Ewens'
sampling formula), and one α shared by many processes (the bigram level's contexts).

Used by :mod:`nlpzero.joint` (re-exported there) and :mod:`nlpzero._discover_joint`.

References
----------
Ewens, W. J. (1972). The sampling theory of selectively neutral alleles. Theoretical
Population Biology 3, 87-112.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import ParameterError

__all__ = ["digamma", "ewens_alpha", "pooled_ewens_alpha"]


def digamma(x) -> np.ndarray:
    """ψ(x) for x > 0 (vectorised): the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the
    asymptotic series ln x − 1/(2x) − Σ B_2k / (2k x^2k) (error below 1e-13)."""
    x = np.array(x, dtype=np.float64, copy=True)
    out = np.zeros_like(x)
    small = x < 10.0
    while small.any():
        out[small] -= 1.0 / x[small]
        x[small] += 1.0
        small = x < 10.0
    inv2 = 1.0 / (x * x)
    out += (np.log(x) - 0.5 / x
            - inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132)))))
    return out


def _solve(f, target: float) -> float:
    """Root of the increasing f(α) = target by bisection on log α."""
    lo, hi = -20.0, 30.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if f(math.exp(mid)) < target:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi))


def ewens_alpha(n_tokens: int, n_types: int) -> float:
    """Maximum-likelihood concentration of a Dirichlet process that produced ``n_types``
    distinct values among ``n_tokens`` draws: the root of ``K = α (ψ(α + n) − ψ(α))``.

    >>> round(ewens_alpha(1000, 100), 2)
    27.48
    """
    n, k = int(n_tokens), int(n_types)
    if not 1 <= k <= n:
        raise ParameterError(f"need 1 <= types <= tokens, got {k} types of {n} tokens", "n_types", k)
    if k == n:
        return math.exp(30.0)
    if k == 1:
        return math.exp(-20.0)
    return _solve(lambda a: a * float(digamma(a + n) - digamma(a)), k)


def pooled_ewens_alpha(n_ctx: np.ndarray, k_ctx: np.ndarray) -> float:
    """One concentration shared by many Dirichlet processes (one per context v with n_v draws
    and K_v distinct values), by maximum likelihood of the product of their Ewens likelihoods:
    the root of ``Σ_v K_v = α Σ_v (ψ(α + n_v) − ψ(α))``.

    >>> round(pooled_ewens_alpha(np.array([1000]), np.array([100])), 2)
    27.48
    """
    n = np.asarray(n_ctx, dtype=np.int64)
    k = np.asarray(k_ctx, dtype=np.int64)
    keep = n > 0
    n, k = n[keep], k[keep]
    if not n.size or (k < 1).any() or (k > n).any():
        raise ParameterError("need contexts with 1 <= K_v <= n_v", "k_ctx")
    values, mult = np.unique(n, return_counts=True)
    mult = mult.astype(np.float64)
    total = float(k.sum())
    if total >= n.sum():
        return math.exp(30.0)
    if total <= n.size:
        return math.exp(-20.0)
    return _solve(lambda a: a * float((mult * (digamma(a + values) - digamma(a))).sum()), total)
