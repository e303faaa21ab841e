"""Scores on one scale: what the blend, its check and the interests match all compare."""

from __future__ import annotations

import numpy as np


def zscore(values: np.ndarray) -> np.ndarray:
    """Standardised (mean 0, deviation 1); all zeros when every value is the same."""
    std = values.std()
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values, dtype=float)
