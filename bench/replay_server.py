"""A replay model: a local OpenAI-compatible server that plays a real model's part from FaithBench.

    python bench/replay_server.py [--port 8766] [--data ../shared/eval/faithbench/faithbench_dev.json]
                                  [--sentences FILE] [--repair empty|evidence] [--cite 3]
    OPENAI_BASE_URL=http://127.0.0.1:8766/v1 OPENAI_API_KEY=x \\
        briefer run PASSAGE_DIR --engine llm --no-cache --model 'replay:batch_3/12'

The `--model` names what to replay: `replay:<batch>/<sample_id>` (e.g. `replay:batch_3/12`) picks
one FaithBench sample; any other name (`openai/gpt-4o`, `replay:Qwen/Qwen2.5-7B-Instruct`) picks that
summarizer's summary of whichever passage the request is about (found by word overlap with the
prompt). With a sample key the extraction document must be that sample's passage (else 400).

What each call answers (read from briefer's prompts in `prompts/*.j2`, the way
`tests/fixture_server.py` reads them, and shaped for `briefer/engines/llm/answers.py`):

- extraction: one claim per numbered sentence of the document, its text copied, citing exactly that
  sentence number, quote null (the whole sentence is the citation), at most the prompt's limit;
- compose: the summary's sentences, in order, as the brief's sentences (the first two, or three when
  the summary has more than 14, as the bottom line; the rest as key points; no open questions), each
  citing the `--cite` claims (default 3) that share the most content words with it (at least one);
  the sentences come from `--sentences` (a JSON object sample key -> list of sentence texts, as
  `bench/gate.py` writes it from `briefer check`'s split) or else from a plain regex split of the
  summary with its preamble cut off (`bench/faithbench.py`);
- judge: every sentence `supported` when GPT-4o's recorded verdict for the summary is consistent, and
  `unsupported` otherwise (FaithBench records one verdict per summary);
- repair: an empty text for every sentence (`--repair empty`, the default: a recording has no
  rewrite), or the sentence's first evidence span (`--repair evidence`, the fixture's behaviour).

Answers come back as tool calls or as JSON content, matching the request's mode (tools,
json_schema, json), with token counts in `usage`. The first line on stdout is
`replay server at http://127.0.0.1:PORT/v1`; `--port 0` picks a free port.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the answers' wire format

import faithbench as fb  # noqa: E402
from fixture_server import (  # noqa: E402  (the wire format and prompt reading the fixture server uses)
    JSONHandler,
    _Server,
    completion,
    first_user,
    numbered_sentences,
    stage_of,
    tagged,
    verdict_on,
)

MAX_BRIEF = 14  # the engine keeps at most 3 bottom-line sentences and 12 key points

_STOP = frozenset(
    "the a an and or of to in on at for by with from as is are was were be been has have had it its this "
    "that which who whom their his her they he she also not but into than then there these those over "
    "after before about such can will would could may might".split()
)


class ReplayError(ValueError):
    pass


# --- reading briefer's prompts (as tests/fixture_server.py does) ----------------------------------


def claim_lines(prompt: str) -> list[dict[str, str]]:
    """`c1 | source 1 | event | speaker: X | unnamed source | hedged | text` -> id and text."""
    inside = prompt.split("<claims>", 1)[1].split("</claims>", 1)[0]
    rows = []
    for line in inside.strip().splitlines():
        parts = line.split(" | ")
        rest = parts[3:]
        while len(rest) > 1 and (rest[0].startswith("speaker: ") or rest[0] in ("unnamed source", "hedged")):
            rest = rest[1:]
        rows.append({"id": parts[0].strip(), "text": " | ".join(rest).strip()})
    return rows


def content_words(text: str) -> set[str]:
    return {
        w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and (len(w) > 2 or w.isdigit())
    }


# --- the replayed model ---------------------------------------------------------------------------


class Replay:
    def __init__(self, samples: list[fb.Sample], sentences: dict[str, list[str]], repair: str, cite: int):
        self.by_key = {s.key: s for s in samples}
        self.sentences = sentences
        self.repair = repair
        self.cite = max(1, cite)
        self.passages: dict[str, set[str]] = {}
        for s in samples:
            self.passages.setdefault(fb.passage_key(s.source), content_words(s.source))
        self.vocabulary = set().union(*self.passages.values())
        self.summarizers = sorted({s.summarizer for s in samples})

    def overlap(self, text: str) -> dict[str, float]:
        """Each passage's word-set F1 with the text (words of no passage, e.g. the prompt's, ignored)."""
        words = content_words(text) & self.vocabulary
        return {k: 2 * len(p & words) / ((len(p) + len(words)) or 1) for k, p in self.passages.items()}

    def passage_of(self, text: str) -> str:
        scores = self.overlap(text)
        return max(scores, key=lambda k: scores[k])

    def sample_for(self, model: str, prompt: str) -> fb.Sample:
        name = model.removeprefix("replay:")
        if name in self.by_key:
            return self.by_key[name]
        if name not in self.summarizers:
            raise ReplayError(
                f"model {model!r} names no FaithBench sample or summarizer; use replay:<batch>/<sample_id> "
                f"or one of {', '.join(self.summarizers)}"
            )
        passage = self.passage_of(prompt)
        for s in self.by_key.values():
            if s.summarizer == name and fb.passage_key(s.source) == passage:
                return s
        raise ReplayError(f"no summary by {name} of this passage")

    def summary_sentences(self, sample: fb.Sample) -> list[str]:
        return self.sentences.get(sample.key) or fb.split_sentences(sample.text)

    # each stage ---------------------------------------------------------------------------------

    def extraction(self, sample: fb.Sample, prompt: str, model: str) -> dict[str, Any]:
        numbered = numbered_sentences(prompt)
        document = " ".join(t for _, t in numbered)
        if model.removeprefix("replay:") in self.by_key:
            # FaithBench holds near-copies of some passages (one character apart): accept any as good
            # as the best match, refuse a document that is plainly another passage
            scores = self.overlap(document)
            if scores[fb.passage_key(sample.source)] < max(scores.values()) - 0.02:
                raise ReplayError(f"the document is not the passage of sample {sample.key}")
        limit_match = re.search(r"at most (\d+) claims", prompt)
        limit = int(limit_match.group(1)) if limit_match else len(numbered)
        claims = [
            {
                "kind": "figure" if re.search(r"\d", text) else "event",
                "text": text,
                "speaker": None,
                "anonymous": False,
                "hedged": False,
                "sentence_ids": [index],
                "quote": None,
            }
            for index, text in numbered
        ]
        return {"claims": claims[:limit]}

    def composition(self, sample: fb.Sample, prompt: str) -> dict[str, Any]:
        claims = [(c["id"], content_words(c["text"])) for c in claim_lines(prompt)]
        if not claims:
            raise ReplayError("no claims to cite")
        out = []
        for text in self.summary_sentences(sample):
            words = content_words(text)
            ranked = sorted(range(len(claims)), key=lambda i: (-len(claims[i][1] & words), i))
            chosen = [claims[i][0] for i in ranked[: self.cite] if claims[i][1] & words] or [
                claims[ranked[0]][0]
            ]
            out.append({"text": text, "claim_ids": chosen})
        bottom = 3 if len(out) > MAX_BRIEF else 2
        return {"bottom_line": out[:bottom], "key_points": out[bottom:], "open_questions": []}

    def judgements(self, sample: fb.Sample, prompt: str) -> dict[str, Any]:
        ok = sample.consistent("GPT-4o") is True
        said = "consistent" if ok else "not consistent"
        reason = f"Recorded GPT-4o verdict: the summary is {said}."
        return {"verdicts": [verdict_on(item, ok, reason) for item in tagged(prompt)]}

    def rewrites(self, prompt: str) -> dict[str, Any]:
        items = tagged(prompt)
        if self.repair == "evidence":
            return {
                "rewrites": [
                    {"sentence_id": i["id"], "text": i["evidence"][0]["text"] if i["evidence"] else ""}
                    for i in items
                ]
            }
        return {"rewrites": [{"sentence_id": i["id"], "text": ""} for i in items]}

    def answer(self, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        stage = stage_of(body)
        prompt = first_user(body)
        model = str(body.get("model", ""))
        sample = self.sample_for(model, prompt)
        if stage == "Extraction":
            return stage, self.extraction(sample, prompt, model)
        if stage == "Composition":
            return stage, self.composition(sample, prompt)
        if stage == "Judgements":
            return stage, self.judgements(sample, prompt)
        if stage == "Rewrites":
            return stage, self.rewrites(prompt)
        raise ReplayError(f"unknown request: {stage}")


# --- the HTTP server ------------------------------------------------------------------------------


def handler_for(replay: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(JSONHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                models = [{"id": f"replay:{k}", "object": "model"} for k in sorted(replay.by_key)]
                models += [{"id": s, "object": "model"} for s in replay.summarizers]
                self.send_json(200, {"object": "list", "data": models})
            else:
                self.send_json(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            body = self.chat_request()
            if body is None:
                return
            try:
                stage, content = replay.answer(body)
            except (ReplayError, KeyError, IndexError, StopIteration) as e:
                self.send_json(400, {"error": {"message": f"replay server cannot answer: {e}"}})
                return
            self.send_json(200, completion(body, stage, content, server="replay"))

    return Handler


def serve(replay: Replay, port: int) -> _Server:
    return _Server(("127.0.0.1", port), handler_for(replay))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8766, help="0 picks a free port")
    parser.add_argument("--data", type=Path, default=fb.DEFAULT_DATA)
    parser.add_argument("--sentences", type=Path, help="JSON: sample key -> the summary's sentences")
    parser.add_argument("--repair", choices=["empty", "evidence"], default="empty")
    parser.add_argument("--cite", type=int, default=3, help="claims cited per composed sentence")
    args = parser.parse_args()
    sentences = json.loads(args.sentences.read_text(encoding="utf-8")) if args.sentences else {}
    replay = Replay(fb.load(args.data), sentences, args.repair, args.cite)
    httpd = serve(replay, args.port)
    print(f"replay server at http://127.0.0.1:{httpd.server_address[1]}/v1 (Ctrl-C to stop)", flush=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    httpd.shutdown()


if __name__ == "__main__":
    main()
