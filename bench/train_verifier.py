"""Train the verifier's support score: a logistic model over `briefer.verify.FEATURES`.

    python bench/train_verifier.py [--eval-dir ../shared/eval] [--seed 13] [--out ...] [--supported 0.58]

Uses only the *tuning* halves of the sets in `bench/verifier.py` (the same seeded split by document),
so every number `bench/verifier.py` prints is measured on summaries the weights never saw. Each set
weighs the same and, within a set, both classes weigh the same: no benchmark dominates because it is
big, and the score is not tilted toward whichever label is common.

Labels are per summary, features per sentence. A consistent summary makes all its sentences
positives; an inconsistent one contributes its weakest sentence under the current weights (multiple-
instance learning, three rounds), because one false sentence is enough to make a summary false.

The label thresholds shipped with the weights come from the same tuning halves: `supported` is the
threshold at which the label `briefer check` prints has the best mean balanced accuracy over the sets,
unless `--supported` pins it (the shipped file is trained with `--supported 0.58`: that mean is flat
from 0.50 to 0.62, and 0.58 keeps the gate on extractive news as strict as it was while accepting
faithful reorderings; docs/VERIFIER.md has the table); `partial` is half of it.
The L2 strength is chosen by 2-fold cross-validation inside the tuning halves, scoring each summary as
`briefer check` does (penalties for failed hard checks and contradictions included). Pure Python
(Newton's method on 18 weights), so training needs nothing beyond the package.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from verifier import DEFAULT_EVAL, SEED, Example, best_threshold, datasets, metrics, split  # noqa: E402

from briefer.checker import gather_all  # noqa: E402
from briefer.verify import (  # noqa: E402
    CONTRADICTION_PENALTY,
    FEATURES,
    HARD_PENALTY,
    SUPPORTED_COVERAGE,
    signals,
)

TRAIN_SETS = ("qags-cnndm", "qags-xsum", "frank", "summedits-news", "xsumfaith")
L2_CANDIDATES = (30.0, 100.0, 200.0, 300.0, 500.0, 1000.0)  # chosen by 2-fold CV inside the tuning halves
ROUNDS = 3

# A sentence: its feature vector, and the counts of failed hard checks and contradictions, which
# `verify.check_text` applies to the model's probability as fixed penalties.
Sentence = tuple[list[float], int, int, float]  # ... and its content-word coverage
Data = dict[str, list[tuple[Example, list[Sentence]]]]  # per set: (summary, its sentences)


def sentence_features(example: Example) -> list[Sentence]:
    """Per summary sentence, what `briefer check` computes for it: features and penalty counts."""
    out = []
    for s, found in gather_all(example.summary, example.documents, markdown=False):
        if found.evidence is None:
            continue
        sig = signals(s.text, found.evidence, found.context)
        out.append(
            ([sig.features[name] for name in FEATURES], len(sig.hard), len(sig.contradictions), sig.coverage)
        )
    return out


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems here are 18 x 18)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n + 1):
                m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def fit(rows: Sequence[tuple[list[float], int, float]], l2: float, iterations: int = 10) -> list[float]:
    """Weighted, L2-regularised logistic regression by Newton's method; the last weight is the bias."""
    d = len(rows[0][0]) + 1
    beta = [0.0] * d
    for _ in range(iterations):
        grad = [l2 * b for b in beta[:-1]] + [0.0]
        hess = [[(l2 if i == j and i < d - 1 else 0.0) for j in range(d)] for i in range(d)]
        for x, y, w in rows:
            xs = [*x, 1.0]
            z = sum(b * v for b, v in zip(beta, xs, strict=True))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = w * (p - y)
            h = w * p * (1 - p)
            for i in range(d):
                grad[i] += g * xs[i]
                hi = h * xs[i]
                row = hess[i]
                for j in range(i, d):
                    row[j] += hi * xs[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-5:
            break
    return beta


def _z(beta: Sequence[float], x: Sequence[float]) -> float:
    return sum(b * v for b, v in zip(beta, [*x, 1.0], strict=True))


def training_rows(data: Data, beta: Sequence[float] | None) -> list[tuple[list[float], int, float]]:
    rows: list[tuple[list[float], int, float]] = []
    for items in data.values():
        chosen: list[tuple[list[float], int, float]] = []
        for example, sentences in items:
            feats = [f for f, *_ in sentences]
            if not feats:
                continue
            if example.label == 1:
                chosen.extend((f, 1, 1 / len(feats)) for f in feats)
            elif beta is None:
                chosen.extend((f, 0, 1 / len(feats)) for f in feats)
            else:
                chosen.append((min(feats, key=lambda f: _z(beta, f)), 0, 1.0))
        pos = sum(w for _, y, w in chosen if y == 1) or 1.0
        neg = sum(w for _, y, w in chosen if y == 0) or 1.0
        # every set weighs 1000 in total, half per class
        rows.extend((f, y, w * 500 / (pos if y else neg)) for f, y, w in chosen)
    return rows


def _probability(beta: Sequence[float], x: Sequence[float]) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, _z(beta, x)))))


def summary_score(beta: Sequence[float], sentences: list[Sentence]) -> float:
    """The summary's score as `briefer check` gives it: its weakest sentence's, penalties applied."""
    if not sentences:
        return 1.0
    return min(
        _probability(beta, f) * HARD_PENALTY**hard * CONTRADICTION_PENALTY**contra
        for f, hard, contra, _ in sentences
    )


def labelled_supported(beta: Sequence[float], sentences: list[Sentence], at: float) -> bool:
    """Whether `verify.check_text` would label every sentence `supported` with this threshold."""
    return all(
        not hard and not contra and coverage >= SUPPORTED_COVERAGE and _probability(beta, f) >= at
        for f, hard, contra, coverage in sentences
    )


def train(data: Data, l2: float) -> list[float]:
    beta: list[float] | None = None
    for _ in range(ROUNDS):
        beta = fit(training_rows(data, beta), l2)
    assert beta is not None
    return beta


def mean_balanced_accuracy(beta: Sequence[float], tune: Data, test: Data) -> float:
    """Mean over sets of the balanced accuracy on `test` at the threshold that is best on `tune`."""
    out = []
    for name in test:
        t = best_threshold([e.label for e, _ in tune[name]], [summary_score(beta, f) for _, f in tune[name]])
        gold = [e.label for e, _ in test[name]]
        out.append(metrics(gold, [summary_score(beta, f) < t for _, f in test[name]]).balanced_accuracy)
    return sum(out) / len(out)


def choose_l2(data: Data, seed: int) -> float:
    """The regularisation strength with the best 2-fold cross-validated score *within* the tuning halves."""
    folds: list[Data] = [{}, {}]
    for name, items in data.items():
        a, b = split([e for e, _ in items], seed + 1)
        in_a = {id(e) for e in a}
        folds[0][name] = [(e, f) for e, f in items if id(e) in in_a]
        folds[1][name] = [(e, f) for e, f in items if id(e) not in in_a]
    scores = {}
    for l2 in L2_CANDIDATES:
        scores[l2] = (
            sum(mean_balanced_accuracy(train(folds[i], l2), folds[i], folds[1 - i]) for i in (0, 1)) / 2
        )
        print(f"  L2 {l2:g}: cross-validated mean balanced accuracy {scores[l2]:.3f}", file=sys.stderr)
    return max(L2_CANDIDATES, key=lambda x: scores[x])


def fit_weights(eval_dir: Path, seed: int, supported_at: float | None = None) -> dict[str, object] | None:
    """The weights file's contents, trained on the tuning halves of `seed`'s split (None: no data).

    `supported_at` pins the label threshold instead of choosing it (see `main`).
    """
    data: Data = {}
    for ds in datasets(eval_dir):
        if ds.name not in TRAIN_SETS:
            continue
        if not all((eval_dir / f).is_file() for f in ds.files):
            print(f"skipping {ds.name}: not found under {eval_dir}", file=sys.stderr)
            continue
        tune, _ = split(ds.load(eval_dir), seed)
        data[ds.name] = [(e, sentence_features(e)) for e in tune]
        print(f"{ds.name}: {len(tune)} tuning summaries", file=sys.stderr)
    if not data:
        return None
    l2 = choose_l2(data, seed)
    beta = train(data, l2)
    # One label threshold for all sets: the label `briefer check` prints (hard checks, coverage and
    # the model together) with the best mean balanced accuracy over the tuning halves.
    candidates = [i / 100 for i in range(5, 96)]

    def mean_ba(t: float) -> float:
        return sum(
            metrics(
                [e.label for e, _ in items], [not labelled_supported(beta, f, t) for _, f in items]
            ).balanced_accuracy
            for items in data.values()
        ) / len(data)

    best = max(candidates, key=mean_ba)
    print(
        f"best label threshold {best:.2f} (mean tuning BA of the label {mean_ba(best):.3f})", file=sys.stderr
    )
    supported = best if supported_at is None else supported_at
    print(
        f"supported >= {supported:.3f} (mean tuning BA of the label {mean_ba(supported):.3f})",
        file=sys.stderr,
    )
    for name, b in zip([*FEATURES, "bias"], beta, strict=True):
        print(f"  {name:26s} {b:+.3f}", file=sys.stderr)
    return {
        "features": list(FEATURES),
        "weights": [round(b, 5) for b in beta[:-1]],
        "bias": round(beta[-1], 5),
        "supported": round(supported, 4),
        "partial": round(supported / 2, 4),
        "l2": l2,
        "trained_on": {name: len(items) for name, items in data.items()},
        "note": f"tuning halves only (bench/verifier.py split, seed {seed}); see bench/train_verifier.py"
        + ("" if supported_at is None else f"; label threshold pinned at {supported_at} (--supported)"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=ROOT / "briefer" / "verify" / "weights.json")
    parser.add_argument(
        "--supported",
        type=float,
        default=None,
        help="pin the label threshold instead of taking the best mean label BA (the shipped file pins "
        "0.58: see docs/VERIFIER.md, 'Score and label')",
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    out = fit_weights(args.eval_dir, args.seed, args.supported)
    if out is None:
        print("no evaluation data found; weights not written", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}; {time.perf_counter() - began:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
