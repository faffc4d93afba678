"""How much of the editors' roundups a 150-word brief can recall at best under the page's rules (issue 12).

    python bench/recall_bounds.py [--crawl 36] [--neus 16] [--per-story] [--eval-dir ../shared/eval]

`bench/brief_quality.py` compares the brief's roundup recall at 150 words with a greedy oracle that
picks from every sentence of the excerpts. That oracle may print what no brief may: a sentence the
excerpt cut off, a quotation without its speaker, a sentence that points back, a forecast as fact,
and one fact three times in three outlets' words. This script measures, on the same clusters and
with the same words, recall and oracle (imported from `brief_quality.py`), four selections at the
same budget:

* `oracle`: brief_quality's oracle (every sentence, at most 150 words);
* `printable`: the same greedy oracle over what the composer may print
  (`engines.offline.compose.tellings_by_fact`: every outlet's stand-alone telling of every fact,
  whole and trimmed), at most one telling per fact, within the content budget the brief has
  (`core.budget.content_budget`: less than 150 for sources shorter than a page);
* `printable, Jaccard < 0.5`: the same, skipping a telling that brief_quality would count as a
  repeat of one already picked (content-word Jaccard >= 0.5);
* `printable, each fact once`: the same, skipping a telling the composer's own repeat test
  (`engines.offline.facts.is_duplicate`: the same fact in other words, as an editor reads it) calls
  a repeat of one already picked;
* `brief`: `briefer.run(..., max_words=150)`, what `brief_quality.py` counts.

Each is shown as a share of `oracle`, over all clusters and over the two halves by `sha256(id)` that
the tuning notes use. The oracles read the roundup; the brief never does. The script imports
briefer (unlike `brief_quality.py`, which drives the CLI) and prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import brief_quality as bq  # noqa: E402

from briefer.core.budget import content_budget, word_count  # noqa: E402
from briefer.core.segment import segment  # noqa: E402
from briefer.engines.offline import OfflineEngine  # noqa: E402
from briefer.engines.offline.compose import tellings_by_fact  # noqa: E402
from briefer.engines.offline.coverage import topic_concepts  # noqa: E402
from briefer.engines.offline.facts import is_duplicate  # noqa: E402
from briefer.output.render import render_json  # noqa: E402
from briefer.runs.pipeline import run  # noqa: E402
from briefer.sources.load import load  # noqa: E402

SELECTIONS = ("oracle", "printable", "printable, Jaccard < 0.5", "printable, each fact once", "brief")
Telling = tuple[str, str]  # what is printed, and the source's words in it (briefer's attribution aside)
Repeats = Callable[[str, list[str]], bool]  # whether a telling (source words) repeats one of those picked


def greedy(
    facts: list[list[Telling]], reference: set[str], budget: int, repeats: Repeats | None
) -> list[str]:
    """brief_quality's oracle over facts' tellings: repeatedly the telling that adds the most
    not-yet-covered roundup words (ties: the shorter) among those that fit, one telling per fact,
    and none whose source words `repeats` calls a repeat of a telling picked (as the composer reads
    repeats: `coverage.Option.said`, never the attribution briefer adds)."""
    chosen: list[str] = []
    said: list[str] = []
    covered: set[str] = set()
    used = 0
    taken: set[int] = set()
    cells = [
        (i, text, form, bq.content(text) & reference, len(bq.words(text)))
        for i, tellings in enumerate(facts)
        for text, form in tellings
    ]
    while True:
        best = None
        for i, text, form, words, n in cells:
            if i in taken or used + n > budget:
                continue
            gain = len(words - covered)
            if not gain or (best is not None and (gain, -n) <= (best[0], -best[1])):
                continue
            if repeats is not None and repeats(form, said):
                continue
            best = (gain, n, i, text, form, words)
        if best is None:
            return chosen
        _, n, i, text, form, words = best
        chosen.append(text)
        said.append(form)
        covered |= words
        used += n
        taken.add(i)


def composer_repeats(topic: frozenset[str]) -> Repeats:
    """The composer's repeat test (`facts.is_duplicate`: the same fact in other words, one side's
    reaction told again, the same figure ...), as the page applies it."""
    return lambda text, chosen: is_duplicate(text, [is_duplicate(c, [], topic)[1] for c in chosen], topic)[0]


def bench_repeats(text: str, chosen: list[str]) -> bool:
    """brief_quality's repeat count: content-word Jaccard >= 0.5 with a telling picked."""
    mine = bq.content(text)
    return any(bq.jaccard(mine, bq.content(c)) >= bq.REPEAT_JACCARD for c in chosen)


def measure(c: bq.Cluster) -> dict[str, float]:
    """Roundup recall of each selection for one cluster."""
    assert c.folder is not None
    reference = bq.content(c.roundup)
    docs = load([c.folder]).documents
    claims = OfflineEngine().extract(docs, {d.id: segment(d) for d in docs})
    facts = [list(dict.fromkeys((o.text, o.said) for o in fact)) for fact in tellings_by_fact(docs, claims)]
    budget = content_budget(sum(word_count(d.text) for d in docs), len(docs), bq.SMALL_BUDGET)
    topic = topic_concepts(claims)
    pool = [s for d in c.docs for para in d.body for s in bq.split_sentences(para)]
    brief = json.loads(render_json(run([c.folder], engine="offline", max_words=bq.SMALL_BUDGET)))
    printed = " ".join(p.text for p in bq.printed_sentences(brief))
    return {
        "oracle": bq.recall(" ".join(bq.oracle(pool, reference, bq.SMALL_BUDGET)), reference),
        "printable": bq.recall(" ".join(greedy(facts, reference, budget, None)), reference),
        "printable, Jaccard < 0.5": bq.recall(
            " ".join(greedy(facts, reference, budget, bench_repeats)), reference
        ),
        "printable, each fact once": bq.recall(
            " ".join(greedy(facts, reference, budget, composer_repeats(topic))), reference
        ),
        "brief": bq.recall(printed, reference),
    }


def half(cluster_id: str) -> int:
    return hashlib.sha256(cluster_id.encode()).digest()[0] % 2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crawl", type=int, default=36, help="AllSides crawl stories (default 36)")
    ap.add_argument("--neus", type=int, default=16, help="NeuS clusters (default 16)")
    ap.add_argument("--eval-dir", type=Path, default=bq.DEFAULT_EVAL)
    ap.add_argument("--per-story", action="store_true", help="print a row per story")
    args = ap.parse_args()
    if not args.eval_dir.is_dir():
        sys.exit(
            f"recall_bounds: no evaluation data at {args.eval_dir} (expected ../shared/eval next to the repo)"
        )
    started = time.perf_counter()
    clusters = [
        c
        for c in bq.crawl_clusters(args.eval_dir, args.crawl) + bq.neus_clusters(args.eval_dir, args.neus)
        if c.roundup
    ]
    with tempfile.TemporaryDirectory(prefix="recall-bounds-") as tmp:
        for c in clusters:
            bq.write_cluster(c, Path(tmp))
        results = {c.id: measure(c) for c in clusters}
    seconds = time.perf_counter() - started

    def share(key: str, ids: list[str]) -> float:
        oracle = sum(results[i]["oracle"] for i in ids)
        return sum(results[i][key] for i in ids) / oracle if oracle else 0.0

    if args.per_story:
        print("story        " + "  ".join(f"{k[:12]:>12}" for k in SELECTIONS))
        for i, r in results.items():
            print(f"{i:12} " + "  ".join(f"{r[k]:12.3f}" for k in SELECTIONS))
        print()
    ids = list(results)
    halves = [[i for i in ids if half(i) == h] for h in (0, 1)]
    print(
        f"roundup recall at {bq.SMALL_BUDGET} words, as a share of the oracle's"
        f" ({len(ids)} clusters with a roundup, {seconds:.0f} s)"
    )
    print(f"{'selection':28} {'all':>6} {'half 0':>7} {'half 1':>7}  mean recall")
    for key in SELECTIONS:
        mean = sum(results[i][key] for i in ids) / len(ids)
        print(
            f"{key:28} {share(key, ids):6.1%} {share(key, halves[0]):7.1%} {share(key, halves[1]):7.1%}  {mean:.3f}"
        )
    brief, once, loose = (
        share(k, ids) for k in ("brief", "printable, each fact once", "printable, Jaccard < 0.5")
    )
    target = bq.TARGET_RECALL_SHARE
    print(
        f"\nthe brief reaches {brief / once:.1%} of what a selection that reads the roundup reaches when it"
        f" prints each fact once; the target ({target:.0%} of the oracle) is"
        f" {'within' if once >= target else 'beyond'} that bound and"
        f" {'within' if loose >= target else 'beyond'} the bound with only the bench's repeat count"
    )


if __name__ == "__main__":
    main()
