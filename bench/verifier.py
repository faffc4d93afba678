"""Benchmark the offline checker on human-labelled factual-consistency data, beside a word-overlap baseline.

    python bench/verifier.py [--eval-dir ../shared/eval] [--seed 13] [--only qags-cnndm,frank]

Reads the sets in `../shared/eval/` (relative to the repo root; a missing set is skipped with a
message): QAGS CNN/DM and XSum (sentence level, plus summary level), the FRANK test split, SummEdits
news and XSumFaith. Every set is split in two halves *by document* with a fixed seed, so summaries of
one article never land in both halves. Thresholds (and the shipped scorer's weights, see
`bench/train_verifier.py`) are chosen on the tuning half only; every number printed is measured on the
held-back half. The positive class of precision/recall is *unsupported* (a summary or sentence that
humans judged not consistent with its source).

The checker is `briefer.checker.check` exactly as `briefer check --jsonl` runs it: the summary is the
draft, the article the only source, no citations, so every sentence goes through retrieval.
"""

from __future__ import annotations

import argparse
import ast
import collections
import csv
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefer.checker import check  # noqa: E402
from briefer.core.text import words  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
SEED = 13
BOOTSTRAP = 300


@dataclass
class Example:
    dataset: str
    doc_key: str  # what the split groups by: one article's summaries stay in one half
    documents: list[str]
    summary: str
    label: int  # 1 = consistent with the source (humans), 0 = not
    meta: dict[str, str] = field(default_factory=dict)


# --- loaders (one per folder README) -----------------------------------------------------------------


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def load_qags(path: Path, dataset: str, level: str = "sentence") -> list[Example]:
    """QAGS: 3 MTurk votes per summary sentence; majority "yes" = supported.

    Sentence level checks each sentence on its own; summary level calls a summary consistent iff every
    sentence is (the binarisation later benchmarks use).
    """
    out: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        key = _key(row["article"])
        labels = []
        for s in row["summary_sentences"]:
            yes = sum(r["response"] == "yes" for r in s["responses"])
            labels.append(int(yes >= 2))
            if level == "sentence":
                out.append(Example(dataset, key, [row["article"]], s["sentence"], labels[-1]))
        if level == "summary":
            summary = " ".join(s["sentence"] for s in row["summary_sentences"])
            out.append(Example(dataset, key, [row["article"]], summary, int(all(labels))))
    return out


def load_frank(path: Path, dataset: str, subset: str | None = None) -> list[Example]:
    """FRANK test split; `label_factual` = every sentence judged error-free (README)."""
    out: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] != "test" or (subset and row["dataset"] != subset):
            continue
        for s in row["summaries"]:
            out.append(
                Example(
                    dataset,
                    row["hash"],
                    [row["article"]],
                    s["summary"],
                    int(s["label_factual"]),
                    {"model": s["model_name"], "source": row["dataset"]},
                )  # fmt: skip
            )
    return out


def load_summedits(path: Path, dataset: str) -> list[Example]:
    """SummEdits news: seed summaries and minimal edits of them; label "1" = consistent."""
    out: list[Example] = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        types = row.get("edit_types") or []
        if isinstance(types, str):
            types = ast.literal_eval(types)
        out.append(
            Example(dataset, _key(row["doc"]), [row["doc"]], row["summary"], int(row["label"]),
                    {"edit_types": ",".join(types)})
        )  # fmt: skip
    return out


def load_xsumfaith(folder: Path, dataset: str) -> list[Example]:
    """XSumFaith: consistent iff the most common hallucination type over the rows is NULL (SummaC's rule)."""
    docs = {}
    for line in (folder / "xsum_documents_from_aggrefact.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        docs[row["bbcid"]] = row["document"]
    groups: dict[tuple[str, str], list[dict[str, str]]] = collections.OrderedDict()
    with (folder / "hallucination_annotations_xsum_summaries.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            groups.setdefault((r["bbcid"], r["system"]), []).append(r)
    out: list[Example] = []
    for (bbcid, system), rows in groups.items():
        if bbcid not in docs:
            continue
        common = collections.Counter(x["hallucination_type"] for x in rows).most_common(1)[0][0]
        out.append(Example(dataset, bbcid, [docs[bbcid]], rows[0]["summary"], int(common == "NULL"),
                           {"system": system}))  # fmt: skip
    return out


@dataclass(frozen=True)
class Dataset:
    name: str
    files: tuple[str, ...]  # relative to the eval folder; all must exist
    load: Callable[[Path], list[Example]]
    published: str  # from the folder README: what others report, and on what split
    parent: str | None = None  # a subset is split as its parent set is, so the halves never mix


def datasets(eval_dir: Path) -> list[Dataset]:
    q, f = "qags", "frank/frank_reconstructed_by_article.jsonl"
    return [
        Dataset("qags-cnndm", (f"{q}/mturk_cnndm.jsonl",),
                lambda p: load_qags(p / q / "mturk_cnndm.jsonl", "qags-cnndm"),
                "summary level, AggreFact split: SummaC-Conv 0.672, QAFactEval 0.754"),
        Dataset("qags-xsum", (f"{q}/mturk_xsum.jsonl",),
                lambda p: load_qags(p / q / "mturk_xsum.jsonl", "qags-xsum"),
                "AggreFact split: SummaC-Conv 0.721, QAFactEval 0.756"),
        Dataset("qags-cnndm-summary", (f"{q}/mturk_cnndm.jsonl",),
                lambda p: load_qags(p / q / "mturk_cnndm.jsonl", "qags-cnndm-summary", "summary"),
                "AggreFact split: SummaC-Conv 0.672, QAFactEval 0.754"),
        Dataset("frank", (f,), lambda p: load_frank(p / f, "frank"),
                "test, SummaC benchmark: SummaC-Conv 0.816, QuestEval 0.821"),
        Dataset("frank-cnndm", (f,), lambda p: load_frank(p / f, "frank-cnndm", "cnndm"),
                "AggreFact FRANK-CNN/DM parts: SummaC-Conv 0.601-0.727, QAFactEval 0.547-0.773", "frank"),
        Dataset("frank-xsum", (f,), lambda p: load_frank(p / f, "frank-xsum", "bbc"), "-", "frank"),
        Dataset("summedits-news", ("summedits_news/summedits_news.json",),
                lambda p: load_summedits(p / "summedits_news/summedits_news.json", "summedits-news"),
                "all examples: SummaC-Conv 0.619, QAFactEval 0.744, GPT-4 0.833, human 0.900"),
        Dataset("xsumfaith", ("xsumfaith/hallucination_annotations_xsum_summaries.csv",
                              "xsumfaith/xsum_documents_from_aggrefact.jsonl"),
                lambda p: load_xsumfaith(p / "xsumfaith", "xsumfaith"),
                "SummaC test: SummaC-Conv 0.664, NER-overlap 0.623; AggreFact-XSum: MiniCheck-FT5 0.743, GPT-4o 0.768"),
    ]  # fmt: skip


def split(
    examples: Sequence[Example], seed: int = SEED, keys: Iterable[str] | None = None
) -> tuple[list[Example], list[Example]]:
    """(tuning half, held-back half), by document: a seeded shuffle of the sorted document keys.

    `keys` are all the documents of the set the examples come from, when they are a subset of it:
    FRANK's CNN/DM part is then split exactly as FRANK is, and the scorer, trained on FRANK's tuning
    half, never sees a held-back CNN/DM summary.
    """
    keys = sorted(set(keys) if keys is not None else {e.doc_key for e in examples})
    random.Random(seed).shuffle(keys)
    tune_keys = set(keys[: len(keys) // 2])
    return [e for e in examples if e.doc_key in tune_keys], [
        e for e in examples if e.doc_key not in tune_keys
    ]


# --- scorers -----------------------------------------------------------------------------------------


def overlap_score(example: Example) -> float:
    """The baseline: unigram precision, the share of the summary's words that occur in the document."""
    summary = words(example.summary)
    if not summary:
        return 1.0
    vocabulary = set(words(" ".join(example.documents)))
    return sum(w in vocabulary for w in summary) / len(summary)


def checker_scores(examples: Sequence[Example]) -> tuple[list[float], list[str], float]:
    """The checker's summary score and label per example, and the seconds it took."""
    scores, labels = [], []
    began = time.perf_counter()
    for e in examples:
        result = check(e.summary, e.documents, markdown=False)
        scores.append(result.score)
        labels.append(result.label)
    return scores, labels, time.perf_counter() - began


def cold_speed(examples: Sequence[Example]) -> tuple[int, float]:
    """Checks per second with nothing cached: every summary brings a new article."""
    import briefer.verify as verifier
    from briefer.checker import clear_caches

    clear_caches()
    verifier.sentence_info.cache_clear()
    began = time.perf_counter()
    for e in examples:
        check(e.summary, e.documents, markdown=False)
    return len(examples), time.perf_counter() - began


# --- metrics -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    balanced_accuracy: float
    precision: float  # of the "unsupported" predictions, the share humans also judged unsupported
    recall: float  # of the summaries humans judged unsupported, the share flagged


def metrics(gold: Sequence[int], flagged: Sequence[bool]) -> Metrics:
    """Metrics with *unsupported* (gold 0) as the positive class."""
    tp = sum(1 for g, f in zip(gold, flagged, strict=True) if f and g == 0)
    fp = sum(1 for g, f in zip(gold, flagged, strict=True) if f and g == 1)
    fn = sum(1 for g, f in zip(gold, flagged, strict=True) if not f and g == 0)
    tn = sum(1 for g, f in zip(gold, flagged, strict=True) if not f and g == 1)
    recall = tp / (tp + fn) if tp + fn else 0.0
    specificity = tn / (tn + fp) if tn + fp else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    return Metrics((recall + specificity) / 2, precision, recall)


def best_threshold(gold: Sequence[int], scores: Sequence[float]) -> float:
    """The threshold (flag when score < t) with the best balanced accuracy on these examples."""
    values = sorted(set(scores))
    cuts = (
        [values[0] - 1e-9]
        + [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
        + [values[-1] + 1e-9]
    )
    best_t, best_ba = cuts[0], -1.0
    for t in cuts:
        ba = metrics(gold, [s < t for s in scores]).balanced_accuracy
        if ba > best_ba + 1e-12:
            best_t, best_ba = t, ba
    return best_t


def roc_auc(gold: Sequence[int], scores: Sequence[float]) -> float:
    """Probability that a consistent example outscores an inconsistent one (ties count half)."""
    pos = [s for g, s in zip(gold, scores, strict=True) if g == 1]
    neg = [s for g, s in zip(gold, scores, strict=True) if g == 0]
    if not pos or not neg:
        return float("nan")
    ranked = sorted(pos + neg)
    rank: dict[float, float] = {}
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j] == ranked[i]:
            j += 1
        rank[ranked[i]] = (i + j + 1) / 2  # average 1-based rank of the ties
        i = j
    return (sum(rank[s] for s in pos) - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


@dataclass
class Row:
    name: str
    n_test: int
    n_test_unsupported: int
    checker: Metrics
    checker_ci: tuple[float, float]
    checker_auc: float
    shipped: Metrics  # the label as `briefer check` prints it: anything but "supported" is flagged
    baseline: Metrics
    baseline_auc: float
    published: str
    seconds: float
    n_timed: int


def held_out(tune: Sequence[Example], test: Sequence[Example], tune_scores: Sequence[float],
             test_scores: Sequence[float]) -> tuple[Metrics, float, float]:  # fmt: skip
    """Metrics on the held-back half at the tuning half's threshold, with a 95% bootstrap interval
    of the balanced accuracy (documents resampled, so one article's summaries move together)."""
    t = best_threshold([e.label for e in tune], tune_scores)
    flagged = [s < t for s in test_scores]
    by_doc: dict[str, list[int]] = {}
    for i, e in enumerate(test):
        by_doc.setdefault(e.doc_key, []).append(i)
    docs = sorted(by_doc)
    rng = random.Random(SEED)
    samples = []
    for _ in range(BOOTSTRAP):
        idx = [i for d in rng.choices(docs, k=len(docs)) for i in by_doc[d]]
        samples.append(metrics([test[i].label for i in idx], [flagged[i] for i in idx]).balanced_accuracy)
    samples.sort()
    low, high = samples[int(0.025 * BOOTSTRAP)], samples[int(0.975 * BOOTSTRAP) - 1]
    return metrics([e.label for e in test], flagged), low, high


def split_keys(ds: Dataset, eval_dir: Path) -> set[str] | None:
    """The document keys a set is split over: its parent's, for a subset (see `split`)."""
    parent = next((p for p in datasets(eval_dir) if p.name == ds.parent), None)
    return {e.doc_key for e in parent.load(eval_dir)} if parent else None


def evaluate(ds: Dataset, examples: list[Example], seed: int, keys: Iterable[str] | None = None) -> Row:
    tune, test = split(examples, seed, keys)
    scores, labels, seconds = checker_scores(tune + test)
    tune_s, test_s = scores[: len(tune)], scores[len(tune) :]
    base = [overlap_score(e) for e in tune + test]
    gold = [e.label for e in test]
    checker, low, high = held_out(tune, test, tune_s, test_s)
    return Row(
        name=ds.name,
        n_test=len(test),
        n_test_unsupported=sum(1 for e in test if e.label == 0),
        checker=checker,
        checker_ci=(low, high),
        checker_auc=roc_auc(gold, test_s),
        shipped=metrics(gold, [label != "supported" for label in labels[len(tune) :]]),
        baseline=held_out(tune, test, base[: len(tune)], base[len(tune) :])[0],
        baseline_auc=roc_auc(gold, base[len(tune) :]),
        published=ds.published,
        seconds=seconds,
        n_timed=len(scores),
    )


def table(rows: Iterable[Row]) -> str:
    head = (
        "| set | n held-back (unsupported) | checker BA | 95% CI | P / R unsupported | AUC | label as shipped BA | "
        "word-overlap BA | P / R | AUC | published (balanced accuracy) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.n_test} ({r.n_test_unsupported}) | **{r.checker.balanced_accuracy:.3f}** | "
            f"{r.checker_ci[0]:.2f}-{r.checker_ci[1]:.2f} | "
            f"{r.checker.precision:.2f} / {r.checker.recall:.2f} | {r.checker_auc:.3f} | "
            f"{r.shipped.balanced_accuracy:.3f} | {r.baseline.balanced_accuracy:.3f} | "
            f"{r.baseline.precision:.2f} / {r.baseline.recall:.2f} | {r.baseline_auc:.3f} | {r.published} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--only", default="", help="comma-separated set names")
    args = parser.parse_args(argv)
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    rows: list[Row] = []
    fresh: list[Example] = []  # one summary per article, for the speed without any reuse
    for ds in datasets(args.eval_dir):
        if wanted and ds.name not in wanted:
            continue
        missing = [f for f in ds.files if not (args.eval_dir / f).is_file()]
        if missing:
            print(f"skipping {ds.name}: {args.eval_dir / missing[0]} not found", file=sys.stderr)
            continue
        examples = ds.load(args.eval_dir)
        row = evaluate(ds, examples, args.seed, split_keys(ds, args.eval_dir))
        print(f"{ds.name}: {len(examples)} examples, {row.n_timed / row.seconds:.0f}/s", file=sys.stderr)
        rows.append(row)
        fresh.extend({e.doc_key: e for e in reversed(examples)}.values())
    if not rows:
        print("no evaluation data found; nothing to report", file=sys.stderr)
        return 0
    print(table(rows))
    n = sum(r.n_timed for r in rows)
    seconds = sum(r.seconds for r in rows)
    cold_n, cold_seconds = cold_speed(fresh[:400])
    print(
        f"\nChecker speed: {n / seconds:.0f} examples/second on one core ({n} checks in {seconds:.1f}s; "
        f"each article's sentences are analysed once and reused by its other summaries); "
        f"{cold_n / cold_seconds:.0f}/s when every summary has an article of its own ({cold_n} checks, "
        f"caches cleared). BA = balanced accuracy "
        f"on the held-back half (seed {args.seed}), threshold chosen on the tuning half; P / R of the "
        f"*unsupported* class. 'Label as shipped' flags every summary whose label is not `supported`, no tuning."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
