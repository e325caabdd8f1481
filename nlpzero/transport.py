"""Exact optimal transport: the earth mover's distance by network simplex.

The transportation problem is solved exactly by a network simplex in the compiled core
(``nlpzero._emd``, the algorithm of POT's ``ot.emd``); this module validates the input and
completes plans and dual potentials. Text distances built on it (WMD, WRD, search) are in
:mod:`nlpzero.distance`.

Conventions
-----------
``min_T sum_ij T_ij M_ij`` over ``T >= 0`` with row sums ``a`` and column sums ``b``. Weights
need not sum to 1, but their totals must agree to 1e-9 relative; ``b`` is then rescaled to the
total of ``a`` (as POT does). Zero weights are pruned before solving.

References
----------
Bonneel, van de Panne, Paris, Heidrich. Displacement interpolation using Lagrangian mass
transport. SIGGRAPH Asia 2011 (the network simplex used by POT).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _emd
from . import _limits as limits
from ._validate import check_choice
from .errors import IterationLimitError, NlpzeroError, ParameterError

__all__ = ["DEFAULT_MAX_ITER", "EMDResult", "IterationLimitError", "emd", "emd_plan"]

#: Default pivot limit of the network simplex (far above what n <= 4096 needs in practice).
DEFAULT_MAX_ITER = 10_000_000

_STATUS = {
    _emd.STATUS_OPTIMAL: "optimal",
    _emd.STATUS_MAX_ITER: "max_iter_reached",
    _emd.STATUS_INFEASIBLE: "infeasible",
}


def _weights(x: Any, name: str, n: int | None) -> np.ndarray:
    if x is None:
        if n is None:
            raise ParameterError(f"`{name}` may be None only when `M` is given")
        return np.full(n, 1.0 / n) if n > 0 else np.zeros(0)
    arr = np.ascontiguousarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise ParameterError(f"`{name}` must be a 1-D array of weights, got shape {arr.shape}")
    return arr


def _problem(a, b, M):
    M = np.ascontiguousarray(M, dtype=np.float64)
    if M.ndim != 2:
        raise ParameterError(f"`M` must be a 2-D cost matrix, got shape {M.shape}")
    return _weights(a, "a", M.shape[0]), _weights(b, "b", M.shape[1]), M


def emd(a, b, M, *, max_iter: int = DEFAULT_MAX_ITER) -> float:
    """Earth mover's distance: the optimal transport cost between two weight vectors.

    Solves ``min sum_ij T_ij M_ij`` over ``T >= 0`` with ``T.sum(1) == a`` and ``T.sum(0) == b``
    exactly (network simplex, the algorithm of POT's ``ot.emd2``).

    Parameters
    ----------
    a : array_like, shape (n1,), float
        Source weights, non-negative and finite; None means uniform.
    b : array_like, shape (n2,), float
        Target weights; ``sum(b)`` must equal ``sum(a)`` to 1e-9 relative (``b`` is then
        rescaled to ``sum(a)``). None means uniform.
    M : array_like, shape (n1, n2), float
        Ground costs, non-negative and finite.
    max_iter : int
        Pivot limit; reaching it raises :class:`IterationLimitError` (never a silently
        suboptimal value).

    Returns
    -------
    float
        The optimal cost.

    Raises
    ------
    ValueError
        Negative, NaN or infinite weights or costs, mismatched totals or shapes.
    IterationLimitError
        The pivot limit was reached.

    Examples
    --------
    >>> import numpy as np, nlpzero
    >>> nlpzero.emd([0.5, 0.5], [1.0], np.array([[0.0], [2.0]]))
    1.0

    References
    ----------
    Bonneel et al. (2011), the network simplex behind POT; Rubner et al. (2000), the EMD.
    """
    a, b, M = _problem(a, b, M)
    status, cost, iters, _, _, _ = _emd.emd_solve(a, b, M, check_max_iter(max_iter), False)
    if status != _emd.STATUS_OPTIMAL:
        raise_for_status(status, iters)
    return cost


def check_max_iter(max_iter) -> int:
    """``max_iter`` as a validated pivot limit (an int ≥ 1)."""
    if type(max_iter) is int and 1 <= max_iter <= limits.INT_MAX:  # fast path for the default
        return max_iter
    return limits.check("max_iter", max_iter)


def raise_for_status(status: int, iters: int) -> None:
    """Raise the error of a non-optimal solver status (IterationLimitError or NlpzeroError)."""
    if status == _emd.STATUS_MAX_ITER:
        raise IterationLimitError(
            f"network simplex stopped at `max_iter` = {iters} pivots before optimality; raise `max_iter`"
        )
    raise NlpzeroError(
        "network simplex ended with flow on an artificial arc (the problem is numerically "
        "infeasible); check that the weights are well scaled"
    )


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class EMDResult:
    """Optimal transport between two weight vectors (from :func:`emd_plan`).

    Attributes
    ----------
    cost : float
        ``sum(plan * M)``.
    plan : ndarray, shape (n1, n2)
        An optimal transport plan (a basic solution: at most ``n1 + n2 - 1`` non-zeros).
    u, v : ndarray, shapes (n1,) and (n2,)
        Dual potentials: ``u[i] + v[j] <= M[i, j]`` with equality wherever ``plan > 0``, and
        ``cost == a @ u + b @ v``. Shifted so that ``a @ u == b @ v``. Zero-weight rows and
        columns get the largest feasible value.
    status : str
        ``"optimal"``, or ``"max_iter_reached"`` when ``on_limit="return"`` let a stopped run
        through: then the mass still parked on the solver's artificial arcs is shipped by the
        north-west corner rule, so the plan is feasible (exact marginals) and ``cost`` is an
        upper bound on the optimum; the duals are not feasible.
    iterations : int
        Number of simplex pivots.
    """

    cost: float
    plan: np.ndarray = field(repr=False)
    u: np.ndarray = field(repr=False)
    v: np.ndarray = field(repr=False)
    status: str = "optimal"
    iterations: int = 0

    @property
    def optimal(self) -> bool:
        """True if the network simplex proved optimality."""
        return self.status == "optimal"

    def to_triples(self) -> list[tuple[int, int, float]]:
        """Non-zero entries of the plan as ``(i, j, mass)``, row-major."""
        rows, cols = np.nonzero(self.plan)
        return [(int(i), int(j), float(self.plan[i, j])) for i, j in zip(rows, cols)]

    def to_dict(self) -> dict:
        """Plain-Python form (lists), e.g. for JSON."""
        return {
            "cost": self.cost,
            "plan": self.plan.tolist(),
            "u": self.u.tolist(),
            "v": self.v.tolist(),
            "status": self.status,
            "iterations": self.iterations,
        }


def emd_plan(a, b, M, *, max_iter: int = DEFAULT_MAX_ITER, on_limit: str = "raise") -> EMDResult:
    """Optimal transport plan, cost and dual potentials (the ``ot.emd`` counterpart of :func:`emd`).

    Parameters
    ----------
    a, b, M, max_iter
        As in :func:`emd`.
    on_limit : {"raise", "return"}
        What to do when ``max_iter`` is reached: raise :class:`IterationLimitError`, or return
        the current feasible plan with ``status="max_iter_reached"``.

    Returns
    -------
    EMDResult

    Examples
    --------
    >>> import numpy as np, nlpzero
    >>> r = nlpzero.emd_plan([0.5, 0.5], [0.5, 0.5], np.array([[0.0, 1.0], [1.0, 0.0]]))
    >>> r.cost, r.plan.tolist()
    (0.0, [[0.5, 0.0], [0.0, 0.5]])
    """
    check_choice("on_limit", on_limit, ("raise", "return"))
    a, b, M = _problem(a, b, M)
    status, cost, iters, plan, u, v = _emd.emd_solve(a, b, M, check_max_iter(max_iter), True)
    if status != _emd.STATUS_OPTIMAL and not (status == _emd.STATUS_MAX_ITER and on_limit == "return"):
        raise_for_status(status, iters)
    if status == _emd.STATUS_MAX_ITER:
        plan = _complete_plan(plan, a, b * (a.sum() / b.sum()))
        cost = float((plan * M).sum())
    u, v = _complete_duals(a, b, M, u, v)
    return EMDResult(float(cost), plan, u, v, _STATUS[status], int(iters))


def _complete_plan(plan: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Ship the residual marginals of a stopped run by the north-west corner rule."""
    ra = np.maximum(a - plan.sum(1), 0.0)
    rb = np.maximum(b - plan.sum(0), 0.0)
    i = j = 0
    while i < len(ra) and j < len(rb):
        x = min(ra[i], rb[j])
        plan[i, j] += x
        ra[i] -= x
        rb[j] -= x
        if ra[i] <= rb[j]:
            i += 1
        else:
            j += 1
    return plan


def _complete_duals(a, b, M, u, v):
    """Fill the duals of pruned (zero-weight) rows/columns, then centre so that a@u == b@v."""
    keep_r = a > 0
    keep_c = b > 0
    if not keep_r.all():
        u[~keep_r] = (M[~keep_r][:, keep_c] - v[keep_c]).min(axis=1)
    if not keep_c.all():
        v[~keep_c] = (M[:, ~keep_c] - u[:, None]).min(axis=0)
    sa, sb = a.sum(), b.sum()
    shift = (a @ u - b @ v) / (sa + sb)
    return u - shift, v + shift
