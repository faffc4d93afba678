"""The support score: a small logistic model over the signals' features, and its shipped weights.

The weights (`weights.json`) are trained by `bench/train_verifier.py` on the tuning halves of
human-labelled benchmarks only; weights trained on another feature set are never applied.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from briefer.verify.signals import FEATURES


@dataclass(frozen=True)
class Scorer:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    supported: float  # label thresholds on the score (see bench/train_verifier.py)
    partial: float

    @classmethod
    def from_weights(cls, data: Mapping[str, Any]) -> Scorer | None:
        """A scorer from the contents of a weights file (`bench/train_verifier.py` writes them).

        None for weights trained on another feature set: never apply them to the wrong inputs.
        """
        if tuple(data["features"]) != FEATURES:
            return None
        return cls(
            features=tuple(data["features"]),
            weights=tuple(data["weights"]),
            bias=data["bias"],
            supported=data["supported"],
            partial=data["partial"],
        )

    def __call__(self, features: Mapping[str, float]) -> float:
        """The model's probability that the sentence is supported (what the label thresholds apply to)."""
        z = self.bias + sum(w * features[f] for f, w in zip(self.features, self.weights, strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def scaled(self, probability: float) -> float:
        """The probability relative to a verbatim 20-word sentence's, capped at 1.

        Trained on balanced classes, the model never says more than ~0.8 even for an exact quote;
        people read a support score of 1.0 as "every signal is perfect". The map is monotone, so it
        changes no ranking and no benchmark number.
        """
        return min(1.0, probability / self(PERFECT))


PERFECT: dict[str, float] = {
    **{f: 1.0 for f in FEATURES},
    **{
        f: 0.0
        for f in FEATURES
        if f.endswith("missing") or f.endswith("evidence") or f in ("novel", "contradictions")
    },
    "length": math.log1p(20),
}


@lru_cache(maxsize=1)
def scorer() -> Scorer | None:
    """The shipped weights, or None before they have been trained (coverage alone is the score)."""
    try:
        data = json.loads(resources.files("briefer.verify").joinpath("weights.json").read_text("utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return None
    return Scorer.from_weights(data)
