"""Can one label policy serve every kind of text? Label thresholds per kind of sentence, measured.

    python bench/calibrate_kinds.py [--edges 0.25,0.75] [--step 0.025]

Issue 13 asks for "a gate calibrated for what it sees: a source sentence printed verbatim, a trimmed
one, a model's paraphrase", such that on each labelled set the label's balanced accuracy is within
0.03 of the best threshold for that set. This bench tries the obvious form of that policy and prints
what it reaches; it changes nothing in `briefer/`.

- Kind of a sentence: its copied-fragment density (`density` in `verify.FEATURES`: mean squared length
  of the fragments it shares with the source, relative to its length; 1.0 is verbatim), cut at
  `--edges` (default 0.25 and 0.75: paraphrase, mixed, extract).
- Policy: a sentence is `supported` when no hard check vetoes it and its support score (as
  `briefer check` prints it) reaches its kind's threshold; a summary when all its sentences are.
- Fit: the thresholds (a grid of `--step`) that maximise the mean label balanced accuracy over the
  five sets' *tuning* halves (`bench/verifier.py`'s split); reported on the held-back halves beside
  each set's best-threshold BA (the score thresholded at the best point of its own tuning half), and
  on the FaithBench dev half (sentence-level publish and leak, `bench/faithbench.py`), which is not
  used to fit.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faithbench as fb  # noqa: E402
from verifier import DEFAULT_EVAL, SEED, datasets, split  # noqa: E402

from briefer.checker import gather_all  # noqa: E402
from briefer.verify import CONTRADICTION_PENALTY, HARD_PENALTY, scorer, signals  # noqa: E402

SETS = ("qags-cnndm", "qags-xsum", "frank", "summedits-news", "xsumfaith")
VETO = -1.0  # the score of a sentence a hard check vetoed (below every threshold)


def sentence_scores(summary: str, documents: list[str]) -> list[tuple[float, float]]:
    """(score as `briefer check` prints it, or VETO; density) per sentence; (VETO, 0) with no evidence."""
    model = scorer()
    assert model is not None
    out = []
    for s, found in gather_all(summary, documents, markdown=False):
        if found.evidence is None:
            out.append((VETO, 0.0))
            continue
        sig = signals(s.text, found.evidence, found.context)
        vetoed = bool(sig.hard or sig.contradictions)
        shown = model.scaled(model(sig.features)) * HARD_PENALTY ** len(sig.hard)
        shown *= CONTRADICTION_PENALTY ** len(sig.contradictions)
        out.append((VETO if vetoed else shown, sig.features["density"]))
    return out


def weakest_by_kind(scores: list[tuple[float, float]], edges: Sequence[float]) -> np.ndarray:
    """Per kind, the lowest score among the summary's sentences of that kind (9 when it has none)."""
    m = np.full(len(edges) + 1, 9.0)
    for score, density in scores:
        k = int(np.searchsorted(edges, density, side="right"))
        m[k] = min(m[k], score)
        if score == VETO:
            m[:] = np.minimum(m, VETO)
    return m


def balanced(sup: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """BA per row of `sup` (policies x summaries, True = passed) against gold (1 = consistent)."""
    return np.asarray(((sup[:, gold == 1].mean(1)) + (~sup[:, gold == 0]).mean(1)) / 2)


def best_threshold_ba(tune: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> float:
    """The held-back BA of the summary score (weakest sentence) at the tuning half's best threshold."""
    (mt, yt), (ms, ys) = tune, test
    st, ss = mt.min(1), ms.min(1)
    cands = np.unique(st)
    bas = balanced(st[None, :] >= cands[:, None], yt)
    t = cands[int(bas.argmax())]
    return float(balanced((ss >= t)[None, :], ys)[0])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", default="0.25,0.75", help="density cuts between kinds")
    parser.add_argument("--step", type=float, default=0.025, help="threshold grid step")
    args = parser.parse_args(argv)
    edges = [float(x) for x in args.edges.split(",")]
    present = [d for d in datasets(DEFAULT_EVAL) if d.name in SETS]
    if not present:
        print(f"no labelled sets under {DEFAULT_EVAL}", file=sys.stderr)
        return 2
    halves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for ds in present:
        try:
            examples = ds.load(DEFAULT_EVAL)
        except FileNotFoundError:
            continue
        for name, part in zip(("tune", "test"), split(examples, SEED), strict=True):
            m = np.array([weakest_by_kind(sentence_scores(e.summary, e.documents), edges) for e in part])
            halves[(ds.name, name)] = (m, np.array([e.label for e in part]))
    names = sorted({n for n, _ in halves}, key=SETS.index)
    grid = np.round(np.arange(0.3, 1.0 + 1e-9, args.step), 4)
    combos = np.array(list(itertools.product(grid, repeat=len(edges) + 1)))
    tune_ba = np.stack(
        [
            balanced(
                np.asarray((halves[(n, "tune")][0][None] >= combos[:, None, :]).all(-1)),
                halves[(n, "tune")][1],
            )
            for n in names
        ]
    )
    chosen = combos[int(tune_ba.mean(0).argmax())]
    kinds = (
        ["<" + str(edges[0])]
        + [f"{a}-{b}" for a, b in zip(edges, edges[1:], strict=False)]
        + [">=" + str(edges[-1])]
    )
    print(f"kinds by density {kinds}; thresholds fitted on the tuning halves: {[float(x) for x in chosen]}\n")
    print(f"{'set':<16} {'label BA (held-back)':>21} {'best-threshold BA':>18} {'gap':>6}")
    report: dict[str, Any] = {}
    for n in names:
        m, y = halves[(n, "test")]
        label = float(balanced((m >= chosen).all(-1)[None, :], y)[0])
        best = best_threshold_ba(halves[(n, "tune")], halves[(n, "test")])
        report[n] = (label, best)
        print(f"{n:<16} {label:21.3f} {best:18.3f} {best - label:6.3f}")
    samples = fb.load(fb.DEFAULT_DATA) if fb.DEFAULT_DATA.is_file() else []
    if samples:
        counts = {(f, g): [0, 0] for f in (0, 1) for g in ("clean", "hallucinated")}
        for s in samples:
            texts = [d.text for d, _ in gather_all(s.text, [s.source], markdown=False)]
            for sl, (score, density) in zip(
                fb.label_sentences(s, texts), sentence_scores(s.text, [s.source]), strict=True
            ):
                if sl.label in ("clean", "hallucinated"):
                    k = int(np.searchsorted(edges, density, side="right"))
                    counts[(s.fold, sl.label)][0] += score >= chosen[k]
                    counts[(s.fold, sl.label)][1] += 1
        print("\nFaithBench dev, the same policy (not fitted on it): publish / leak")
        for f in (0, 1):
            c, h = counts[(f, "clean")], counts[(f, "hallucinated")]
            print(f"  fold {f}: {c[0] / c[1]:.3f} / {h[0] / h[1]:.3f}")
        c = [sum(counts[(f, "clean")][i] for f in (0, 1)) for i in (0, 1)]
        h = [sum(counts[(f, "hallucinated")][i] for f in (0, 1)) for i in (0, 1)]
        print(f"  pooled: {c[0] / c[1]:.3f} / {h[0] / h[1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
