"""The verifier as a gate for real model prose, on FaithBench (issue 13): publish and leak, per sentence.

    python bench/gate.py [--data ../shared/eval/faithbench/faithbench_dev.json] [--no-pipeline (skip d, e)]
                         [--jobs 2] [--json results.json] [--keep-preamble]

publish = share of the *clean* summary sentences that are printed as fact; leak = share of the
*hallucinated* ones that are. Rows:

(a) the verifier alone, `briefer check --jsonl` (printed = its sentence label is `supported`; also
    with `partially_supported` let through);
(b) the six detectors whose verdicts FaithBench ships in `metadata`; they judge whole summaries, so a
    summary they call consistent has all its sentences printed and one they call inconsistent none;
(c) the gate: the verifier's sentence label `supported` AND GPT-4o's recorded verdict (as judge) for
    that summary;
(d) the whole LLM pipeline, `briefer run PASSAGE --engine llm --format json --no-cache`, on the
    replay model (`bench/replay_server.py`): extraction copies the passage's sentences as claims,
    compose answers with this summary's sentences, the judge with GPT-4o's recorded verdict, repair
    with an empty text (a recorded model has no rewrite to offer). A summary sentence is printed when
    it comes back in the bottom line or key points with a `supported` verdict;
(e) `briefer check DRAFT --sources PASSAGE --format json --engine llm` with the replay model as the
    judge (BRIEFER_MODEL=replay:<key>): the single-draft gate through the CLI. The draft is read as
    Markdown, so its sentences are its own split, labelled by their `start`/`end`.

Also each system's summary-level balanced accuracy (faithful summaries passed whole vs hallucinated
summaries stopped). Figures per fold (passages split in two, see bench/faithbench.py) and pooled,
beside the issue's targets. briefer is driven only through its CLI. docs/GATE.md has the protocol.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faithbench as fb  # noqa: E402

BRIEFER = [sys.executable, "-m", "briefer"]
PUBLISH_ALONE, LEAK_ALONE = 0.85, 0.50
PUBLISH_GATE, LEAK_GATE_FACTOR = 0.80, 0.8
GATE = "(c) gate: no veto AND GPT-4o as judge (work needed below partial)"


@dataclass
class Checked:
    """One sample with the verifier's verdicts and, optionally, the pipeline's."""

    sample: fb.Sample
    label: str  # the check's overall label
    sentences: list[fb.SentenceLabel]
    verdicts: list[dict[str, Any]]  # the check's per-sentence output
    pipeline: list[bool] | None = None  # per sentence: printed as fact by `briefer run`
    pipeline_ok: bool = True
    pipeline_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- (a) the verifier through `briefer check --jsonl` ---------------------------------------------


def run_check(samples: list[fb.Sample], workdir: Path) -> dict[str, dict[str, Any]]:
    pairs = workdir / "pairs.jsonl"
    with pairs.open("w", encoding="utf-8") as f:
        for s in samples:
            f.write(json.dumps({"id": s.key, "summary": s.text, "document": s.source}) + "\n")
    out = subprocess.run(
        [*BRIEFER, "check", "--jsonl", str(pairs)], capture_output=True, text=True, check=False
    )
    if out.returncode not in (0, 3):
        sys.exit(f"briefer check --jsonl failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    results = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    return {str(r["id"]): r for r in results}


# --- (d) the pipeline on the replay model ---------------------------------------------------------


def start_replay(data: Path, sentences_file: Path, repair: str) -> tuple[subprocess.Popen[str], str]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve().parent / "replay_server.py"),
        "--port",
        "0",
        "--data",
        str(data),
        "--sentences",
        str(sentences_file),
        "--repair",
        repair,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
    if not m:
        proc.kill()
        sys.exit(f"replay server did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, m.group(1)


def run_pipeline(checked: list[Checked], workdir: Path, base_url: str, jobs: int) -> None:
    passages: dict[str, Path] = {}
    for c in checked:
        key = fb.passage_key(c.sample.source)
        if key not in passages:
            folder = workdir / "passages" / key[:12]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "passage.txt").write_text(c.sample.source + "\n", encoding="utf-8")
            passages[key] = folder
    env = {
        **os.environ,
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "replay",
        "BRIEFER_CACHE_DIR": str(workdir / "cache"),
    }
    env.pop("BRIEFER_CONFIG", None)

    def one(c: Checked) -> None:
        folder = passages[fb.passage_key(c.sample.source)]
        cmd = [
            *BRIEFER,
            "run",
            str(folder),
            "--engine",
            "llm",
            "--format",
            "json",
            "--no-cache",
            "--model",
            f"replay:{c.sample.key}",
            "--max-words",
            "1000",
            "-q",
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=300)
        if out.returncode != 0 and "no summary sentence passed verification" in out.stderr:
            c.pipeline = [False] * len(c.sentences)  # a valid outcome: the run refuses to print anything
            c.extra["printed_nothing"] = True
            return
        if out.returncode != 0:
            c.pipeline_ok = False
            c.pipeline_note = f"exit {out.returncode}: {out.stderr.strip()[-300:]}"
            c.pipeline = [False] * len(c.sentences)
            return
        brief = json.loads(out.stdout)
        printed: collections.Counter[str] = collections.Counter()
        for s in [*brief.get("bottom_line", []), *brief.get("key_points", [])]:
            if (s.get("verdict") or {}).get("label") == "supported":
                printed[" ".join(str(s["text"]).split())] += 1
        n_printed = sum(printed.values())
        flags = []
        for sl in c.sentences:
            key = " ".join(sl.text.split())
            flags.append(printed[key] > 0)
            if printed[key] > 0:
                printed[key] -= 1
        c.extra["rewritten"] = n_printed - sum(flags)  # printed, but not one of the summary's sentences
        c.pipeline = flags
        c.extra["usage"] = (brief.get("report") or {}).get("usage")

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, checked))


def run_drafts(checked: list[Checked], workdir: Path, base_url: str, jobs: int) -> None:
    """(e): `briefer check DRAFT --sources PASSAGE --format json --engine llm`, the replay model as
    judge. The draft is read as Markdown (list markers dropped), so its sentences are its own split,
    labelled by the spans they overlap via the check's `start`/`end`."""
    (workdir / "drafts").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "replay",
        "BRIEFER_CACHE_DIR": str(workdir / "cache"),
    }
    env.pop("BRIEFER_CONFIG", None)

    def one(job: tuple[int, Checked]) -> None:
        n, c = job
        draft = workdir / "drafts" / f"{n}.md"
        source = workdir / "drafts" / f"{n}.source.txt"
        draft.write_text(c.sample.text + "\n", encoding="utf-8")
        source.write_text(c.sample.source + "\n", encoding="utf-8")
        cmd = [*BRIEFER, "check", str(draft), "--sources", str(source), "--format", "json"]
        out = subprocess.run(
            [*cmd, "--engine", "llm", "-q"],
            capture_output=True,
            text=True,
            env={**env, "BRIEFER_MODEL": f"replay:{c.sample.key}"},
            check=False,
            timeout=300,
        )
        if out.returncode not in (0, 3):
            c.extra["draft_error"] = f"exit {out.returncode}: {out.stderr.strip()[-300:]}"
            c.extra["draft"] = []
            return
        result = json.loads(out.stdout)
        c.extra["draft_label"] = result["label"]
        c.extra["draft"] = [
            (fb.span_label(c.sample, int(s["start"]), int(s["end"])), s["label"] == "supported", s)
            for s in result["sentences"]
        ]

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, enumerate(checked)))


# --- scoring --------------------------------------------------------------------------------------

Printer = Callable[[Checked, int], bool]
Passer = Callable[[Checked], bool]


def DRAFT_PRINTER(c: Checked, i: int) -> bool:  # noqa: N802 - a marker: measure() uses the draft's own sentences
    raise AssertionError("not called")


def systems(include_pipeline: bool) -> list[tuple[str, Printer, Passer]]:
    def verdict(c: Checked, i: int) -> str:
        return str(c.verdicts[i]["label"])

    rows: list[tuple[str, Printer, Passer]] = [
        (
            "(a) verifier alone: supported",
            lambda c, i: verdict(c, i) == "supported",
            lambda c: c.label == "supported",
        ),
        (
            "(a) verifier alone: supported or partial",
            lambda c, i: verdict(c, i) in ("supported", "partially_supported"),
            lambda c: c.label in ("supported", "partially_supported"),
        ),
    ]

    def detector(name: str) -> tuple[str, Printer, Passer]:
        def passes(c: Checked) -> bool:
            return c.sample.consistent(name) is True

        return f"(b) {name} (summary verdict)", lambda c, i: passes(c), passes

    rows += [detector(name) for name in fb.DETECTORS]

    def judged(c: Checked, i: int) -> bool:
        """The shipped gate (`engines.llm.review.merge_verdicts`) with GPT-4o's recorded verdict as the
        judge: no hard veto, and either the verifier passed it or it has partial word-level support
        and the judge passed it. Below partial the judge must show its work; a recorded verdict has
        none, so such a sentence is withheld."""
        v = c.verdicts[i]
        return (
            not v.get("vetoed", False)
            and v["label"] in ("supported", "partially_supported")
            and c.sample.consistent("GPT-4o") is True
        )

    rows += [
        (
            GATE,
            judged,
            lambda c: all(judged(c, i) for i in range(len(c.sentences))),
        ),
        (
            "(c+) same, if the judge's work always checked out (a bound)",
            lambda c, i: not c.verdicts[i].get("vetoed", False) and c.sample.consistent("GPT-4o") is True,
            lambda c: (
                all(not v.get("vetoed", False) for v in c.verdicts) and c.sample.consistent("GPT-4o") is True
            ),
        ),
        (
            "(c-) old gate: verifier supported AND GPT-4o",
            lambda c, i: verdict(c, i) == "supported" and c.sample.consistent("GPT-4o") is True,
            lambda c: c.label == "supported" and c.sample.consistent("GPT-4o") is True,
        ),
        (
            "(c') old gate: verifier supported|partial AND GPT-4o",
            lambda c, i: (
                verdict(c, i) in ("supported", "partially_supported")
                and c.sample.consistent("GPT-4o") is True
            ),
            lambda c: (
                c.label in ("supported", "partially_supported") and c.sample.consistent("GPT-4o") is True
            ),
        ),
    ]
    if include_pipeline:
        rows.append(
            (
                "(d) pipeline: briefer run on replay model",
                lambda c, i: bool(c.pipeline and c.pipeline[i]),
                lambda c: bool(c.pipeline) and all(c.pipeline or [False]),
            )
        )
        rows.append(
            (
                "(e) briefer check DRAFT --engine llm, replay judge",
                DRAFT_PRINTER,
                lambda c: c.extra.get("draft_label") == "supported",
            )
        )
    return rows


def measure(checked: list[Checked], printer: Printer, passer: Passer) -> dict[str, Any]:
    n: collections.Counter[str] = collections.Counter()
    for c in checked:
        if printer is DRAFT_PRINTER:  # (e) counts the draft check's own sentences
            units = [(label, printed) for label, printed, _ in c.extra.get("draft", [])]
        else:
            units = [(sl.label, printer(c, i)) for i, sl in enumerate(c.sentences)]
        for label, printed in units:
            if label in ("clean", "hallucinated"):
                n[label] += 1
                n[label + "_printed"] += printed
        if c.sample.label in ("faithful", "hallucinated"):
            n["s_" + c.sample.label] += 1
            n["s_" + c.sample.label + "_passed"] += passer(c)

    def share(a: str, b: str) -> float:
        return n[a] / n[b] if n[b] else float("nan")

    publish = share("clean_printed", "clean")
    leak = share("hallucinated_printed", "hallucinated")
    pass_faithful = share("s_faithful_passed", "s_faithful")
    pass_halluc = share("s_hallucinated_passed", "s_hallucinated")
    return {
        "publish": publish,
        "leak": leak,
        "clean": n["clean"],
        "hallucinated": n["hallucinated"],
        "summary_ba": (pass_faithful + (1 - pass_halluc)) / 2,
        "faithful_pass_whole": pass_faithful,
        "hallucinated_pass_whole": pass_halluc,
        "faithful": n["s_faithful"],
        "hallucinated_summaries": n["s_hallucinated"],
    }


def reasons(checked: list[Checked], top: int = 10) -> list[tuple[str, int, int, list[str]]]:
    """Why clean sentences miss `supported`: reason types with the number of sentences that give it,
    the number for which it is the only reason type, and two examples (sole-reason ones first)."""
    count: collections.Counter[str] = collections.Counter()
    sole: collections.Counter[str] = collections.Counter()
    examples: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for c in checked:
        for i, sl in enumerate(c.sentences):
            v = c.verdicts[i]
            if sl.label != "clean" or v["label"] == "supported":
                continue
            kinds: dict[str, str] = {}
            for r in v["reasons"] or ["(no reason given)"]:
                kinds.setdefault(reason_type(r), r)
            for k, raw in kinds.items():
                count[k] += 1
                sole[k] += len(kinds) == 1
                text = sl.text if len(sl.text) <= 110 else sl.text[:107] + "..."
                examples[k].append((0 if len(kinds) == 1 else 1, f"[{v['label']}] {text!r} -- {raw}"))
    return [
        (k, v, sole[k], list(dict.fromkeys(e for _, e in sorted(examples[k], key=lambda x: x[0])))[:2])
        for k, v in count.most_common(top)
    ]


def reason_type(reason: str) -> str:
    k = re.sub(r'"[^"]*"', '"…"', reason)
    k = re.sub(r":\s.*", ": …", k)
    k = re.sub(r"\(score [^)]*\)", "(score N)", k)
    return re.sub(r"\d+(?:\.\d+)?", "N", k)


# --- output ---------------------------------------------------------------------------------------


def fmt(x: float) -> str:
    return "  -  " if x != x else f"{x:.3f}"


def report(checked: list[Checked], include_pipeline: bool) -> dict[str, Any]:
    folds = {
        "fold 0": [c for c in checked if c.sample.fold == 0],
        "fold 1": [c for c in checked if c.sample.fold == 1],
    }
    folds["pooled"] = checked
    table: dict[str, dict[str, dict[str, Any]]] = {}
    rows = systems(include_pipeline)
    for name, printer, passer in rows:
        table[name] = {f: measure(cs, printer, passer) for f, cs in folds.items()}

    pooled = {k: v["pooled"] for k, v in table.items()}
    n_clean, n_hall = pooled[rows[0][0]]["clean"], pooled[rows[0][0]]["hallucinated"]
    print(
        f"FaithBench dev: {len(checked)} summaries of {len({fb.passage_key(c.sample.source) for c in checked})} "
        f"passages; sentences: {n_clean} clean, {n_hall} hallucinated "
        f"(+{sum(sl.label == 'left_out' for c in checked for sl in c.sentences)} left out: only Benign/Questionable spans); "
        f"summaries: {pooled[rows[0][0]]['faithful']} faithful, {pooled[rows[0][0]]['hallucinated_summaries']} hallucinated"
    )
    print("publish = clean sentences printed as fact / clean; leak = hallucinated printed / hallucinated;")
    print("BA = summary-level balanced accuracy (faithful passed whole vs hallucinated stopped)\n")
    width = max(len(n) for n, _, _ in rows)
    head = "".join(f" | {f:^20}" for f in folds)
    print(f"{'system':<{width}}{head}")
    print(f"{'':<{width}}" + " | publish  leak   BA " * len(folds))
    for name, _, _ in rows:
        cells = "".join(
            f" | {fmt(m['publish'])}  {fmt(m['leak'])} {fmt(m['summary_ba'])}" for m in table[name].values()
        )
        print(f"{name:<{width}}{cells}")

    print("\nTargets (issue 13):")
    alone = table["(a) verifier alone: supported"]
    gate = table[GATE]
    gpt = table["(b) GPT-4o (summary verdict)"]
    for f in folds:
        a, g, o = alone[f], gate[f], gpt[f]
        ok_a = a["publish"] >= PUBLISH_ALONE and a["leak"] <= LEAK_ALONE
        limit = LEAK_GATE_FACTOR * o["leak"]
        ok_g = g["publish"] >= PUBLISH_GATE and g["leak"] <= limit
        print(
            f"  {f:>7}: verifier alone publish {fmt(a['publish'])} (>= {PUBLISH_ALONE}) leak {fmt(a['leak'])} "
            f"(<= {LEAK_ALONE}): {'MET' if ok_a else 'not met'};  gate with GPT-4o publish {fmt(g['publish'])} "
            f"(>= {PUBLISH_GATE}) leak {fmt(g['leak'])} (<= {LEAK_GATE_FACTOR} x {fmt(o['leak'])} = {fmt(limit)}): "
            f"{'MET' if ok_g else 'not met'}"
        )
        if include_pipeline:
            d = table["(d) pipeline: briefer run on replay model"][f]
            ok_d = d["publish"] >= PUBLISH_GATE and d["leak"] <= limit
            print(
                f"  {'':>7}  pipeline on replay model publish {fmt(d['publish'])} leak {fmt(d['leak'])} "
                f"against the gate's targets: {'MET' if ok_d else 'not met'}"
            )
    if include_pipeline:
        failed = [c for c in checked if not c.pipeline_ok]
        rewritten = sum(int(c.extra.get("rewritten", 0)) for c in checked)
        nothing = sum(bool(c.extra.get("printed_nothing")) for c in checked)
        print(
            f"\n  pipeline runs: {len(checked)}; failed: {len(failed)}; refused to print anything (exit 1, "
            f"'no summary sentence passed verification', counted as nothing printed): {nothing}; "
            f"printed sentences that are not the summary's own (repair rewrites): {rewritten}"
        )
        for c in failed[:5]:
            print(f"    {c.sample.key}: {c.pipeline_note}")
        draft_failed = [c for c in checked if "draft_error" in c.extra]
        print(f"  briefer check DRAFT --engine llm runs: {len(checked)}; failed: {len(draft_failed)}")
        for c in draft_failed[:5]:
            print(f"    {c.sample.key}: {c.extra['draft_error']}")

    print("\nWhy clean sentences are not `supported` (reason types, sentences counted once per type):")
    top = reasons(checked)
    not_supported = sum(
        1
        for c in checked
        for i, sl in enumerate(c.sentences)
        if sl.label == "clean" and c.verdicts[i]["label"] != "supported"
    )
    print(f"  {not_supported} of {n_clean} clean sentences are not `supported`")
    print("  count (as the only reason type)  reason")
    for kind, count, only, ex in top:
        print(f"  {count:4d} ({only:3d})  {kind}")
        for e in ex:
            print(f"          e.g. {e}")
    return {"table": table, "reasons": top}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=fb.DEFAULT_DATA)
    parser.add_argument("--no-pipeline", action="store_true", help="skip (d), the end-to-end runs")
    parser.add_argument("--jobs", type=int, default=2, help="parallel `briefer run` processes for (d)")
    parser.add_argument(
        "--repair", choices=["empty", "evidence"], default="empty", help="replay repair answers"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N samples (a smoke test)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--keep-preamble", action="store_true", help="check the preamble line too")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no FaithBench data at {args.data}", file=sys.stderr)
        return 2
    samples = fb.load(args.data)
    if args.keep_preamble:
        for s in samples:
            s.spans = [fb.Span(sp.start + s.offset, sp.end + s.offset, sp.kind) for sp in s.spans]
            s.text, s.offset = s.summary, 0
    if args.limit:
        samples = samples[: args.limit]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="briefer-gate-") as tmp:
        work = Path(tmp)
        results = run_check(samples, work)
        checked: list[Checked] = []
        for s in samples:
            r = results[s.key]
            texts = [str(x["text"]) for x in r["sentences"]]
            checked.append(Checked(s, str(r["label"]), fb.label_sentences(s, texts), r["sentences"]))
        unlocated = sum(sl.label == "unlocated" for c in checked for sl in c.sentences)
        if unlocated:
            print(
                f"warning: {unlocated} checked sentences not found in their summary (left out)",
                file=sys.stderr,
            )
        if not args.no_pipeline:
            sentences_file = work / "sentences.json"
            sentences_file.write_text(
                json.dumps({c.sample.key: [sl.text for sl in c.sentences] for c in checked}), encoding="utf-8"
            )
            proc, base_url = start_replay(args.data, sentences_file, args.repair)
            try:
                run_pipeline(checked, work, base_url, args.jobs)
                run_drafts(checked, work, base_url, args.jobs)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
        out = report(checked, not args.no_pipeline)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
