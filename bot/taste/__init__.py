"""A channel's taste: what its votes, requests and imports teach the ranking.

Pure code over `bot.models.Paper`: the engine supplies the signals and the background
papers and stores nothing here. See `train` and `rank_with_taste`.
"""

from .blend import DEFAULT_BLEND, BlendParams, learned_weight, rank_with_taste
from .features import load_dense
from .model import DEFAULT_PARAMS, TasteModel, TasteParams, prepare, train
from .signals import DEFAULT_WEIGHTS, NEGATIVE_KINDS, POSITIVE_KINDS, Signal, vote_signal

__all__ = ["DEFAULT_BLEND", "DEFAULT_PARAMS", "DEFAULT_WEIGHTS", "NEGATIVE_KINDS", "POSITIVE_KINDS",
           "BlendParams", "Signal", "TasteModel", "TasteParams", "learned_weight", "load_dense", "prepare",
           "rank_with_taste", "train", "vote_signal"]
