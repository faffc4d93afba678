"""A model endpoint that fails or lies: bounded retries, then a verified brief or one clear error with
exit 1, nothing on stdout and the `-o` target untouched. Invented text never reaches the brief as fact.

Every fault is served by `adversary.FaultServer` on 127.0.0.1 (answers authored by
tests/fixture_server.py when the script says "no fault"), so the suite needs no network and no key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from adversary import (
    LOCAL_ONLY,
    FaultServer,
    Output,
    Script,
    always,
    assert_clean_failure,
    assert_published_is_verified,
    briefer,
    first,
    hang,
    hang_up,
    http_error,
    llm_args,
    no_choices,
    on_stage,
    per_call,
    raw,
    refusal,
    storm,
    structured,
    text_answer,
    truncated,
)
from fixture_server import Scenario, answer, claim_lines, first_user, numbered_sentences, tagged

from briefer.core.models import Brief

pytestmark = LOCAL_ONLY

MAX_ATTEMPTS = 4  # transport attempts per call (Settings.max_attempts)
ANSWERS_PER_CALL = 3  # 1 + 2 re-asks for an invalid answer (Settings.reasks)
N_DOCS = 3  # the storm corpus


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-fault-0000000000")


def _short_timeout_for(fault: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timeout faults wait 0.4 s per attempt (the flag's minimum is 1 s; the variable is not bound);
    every other test keeps the default, so a slow CI machine cannot turn an answer into a timeout."""
    if "timeout" in fault:
        monkeypatch.setenv("BRIEFER_TIMEOUT", "0.4")


# --- answers that fit the schema but are not true ---------------------------------------------------

NONSENSE = "Purple elephants now run the harbour authority"
INVENTED = ("The dam near Lugo collapsed, killing 300 people.", "Governor Bianchi resigned on Wednesday.")


def _all_supported(prompt: str) -> dict[str, Any]:
    return {
        "verdicts": [
            {"sentence_id": t["id"], "label": "supported", "evidence_ids": [e["id"] for e in t["evidence"]],
             "reason": "The evidence states this."}
            for t in tagged(prompt)
        ]
    }  # fmt: skip


def nonsense(stage: str, body: dict[str, Any]) -> dict[str, Any]:
    """Well-formed answers about nothing in the sources, citing real sentence and claim ids; the judge
    approves everything and the repair call repeats the nonsense."""
    prompt = first_user(body)
    if stage == "Extraction":
        ids = [n for n, _ in numbered_sentences(prompt)]
        return {"claims": [{"kind": "event", "text": f"{NONSENSE}.", "sentence_ids": [i]} for i in ids[:3]]}
    if stage == "Composition":
        ids = [c["id"] for c in claim_lines(prompt)]
        return {
            "bottom_line": [{"text": f"{NONSENSE}, officials confirmed.", "claim_ids": ids[:2]}],
            "key_points": [
                {"text": "The moon landing was staged near Ravenna in 1962.", "claim_ids": ids[2:4]}
            ],
        }
    if stage == "Judgements":
        return _all_supported(prompt)
    return {"rewrites": [{"sentence_id": t["id"], "text": f"{NONSENSE}."} for t in tagged(prompt)]}


def invented_ids(stage: str, body: dict[str, Any]) -> dict[str, Any]:
    """Sentence numbers, quotes, claim ids and sentence ids that do not exist."""
    if stage == "Extraction":
        return {
            "claims": [
                {"kind": "event", "text": "The dam burst at dawn.", "sentence_ids": [9999]},
                {"kind": "event", "text": "Storm Elena made landfall.", "sentence_ids": [1],
                 "quote": "Storm Elena made landfall in Portugal"},
            ]
        }  # fmt: skip
    if stage == "Composition":
        return {"bottom_line": [{"text": INVENTED[0], "claim_ids": ["c999"]}]}
    if stage == "Judgements":
        return {"verdicts": [{"sentence_id": "zz9", "label": "supported", "reason": "fine"}]}
    return {"rewrites": [{"sentence_id": "zz9", "text": INVENTED[0]}]}


def inventing_composer(stage: str, body: dict[str, Any]) -> dict[str, Any]:
    """Honest everywhere except that the composer slips in two invented sentences citing real claims
    (the commonest lie: a plausible fact pinned to an unrelated source)."""
    _, content = answer(body, Scenario())
    if stage == "Composition":
        ids = [c["id"] for c in claim_lines(first_user(body))]
        content["bottom_line"].insert(0, {"text": INVENTED[0], "claim_ids": ids[:1]})
        content["key_points"].append({"text": INVENTED[1], "claim_ids": ids[1:2]})
    if stage == "Judgements":
        return _all_supported(first_user(body))
    return content


# --- the fault table -------------------------------------------------------------------------------

# Faults that never clear: the run must stop with one error line, exit 1 and no output.
PERSISTENT: dict[str, tuple[Script, str]] = {
    "malformed JSON": (always(text_answer('{"claims": [{"kind": "event", "text": ')), "no claims"),
    "a body that is not JSON": (always(raw(b"<html><body>502 Bad Gateway</body></html>")), "no claims"),
    "empty choices": (always(no_choices), "no answer (an empty choices list)"),
    "truncated output": (always(truncated), "cut off at its token limit"),
    "refusals": (always(refusal), "no claims"),
    "a refusal to compose": (on_stage("Composition", refusal), "declined the compose call"),
    "a refusal to judge": (on_stage("Judgements", refusal), "declined the judge call"),
    "timeouts": (always(hang(5)), "timed out"),
    "a storm of 429s": (always(http_error(429, retry_after="0")), "HTTP 429"),
    "500s": (always(http_error(500)), "HTTP 500"),
    "502s": (always(http_error(502)), "HTTP 502"),
    "503s": (always(http_error(503)), "HTTP 503"),
    "a connection closed mid-response": (always(hang_up), "could not connect"),
    "invented ids and quotes": (always(structured(invented_ids)), "no claims"),
    "invented claim ids in the composition": (
        on_stage("Composition", structured(invented_ids)),
        "no summary sentence passed verification",
    ),
}


def _run(server: FaultServer, corpus: Path, *extra: str) -> Any:
    return briefer(corpus, *llm_args(server), *extra)


def _bounded(server: FaultServer) -> None:
    """No call is ever sent more than attempts x answers times; the whole run stays within that for
    every document plus compose, judge, repair and re-judge."""
    calls = N_DOCS + 4
    assert len(server.requests) <= calls * MAX_ATTEMPTS * ANSWERS_PER_CALL, len(server.requests)


@pytest.mark.parametrize("fault", list(PERSISTENT), ids=list(PERSISTENT))
def test_a_persistent_fault_ends_in_one_clear_error_and_no_output(
    tmp_path: Path, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_timeout_for(fault, monkeypatch)
    script, message = PERSISTENT[fault]
    corpus = storm(tmp_path)
    with FaultServer(script) as server:
        to_stdout = _run(server, corpus)
        target = Output(tmp_path / "brief.md")
        to_file = _run(server, corpus, "-o", str(target.path))
    for result, output in ((to_stdout, None), (to_file, target)):
        error = assert_clean_failure(result, exit_code=1, output=output)
        assert message in error, error
        assert "sk-test-fault" not in result.stderr
    _bounded(server)


def test_schema_valid_nonsense_falls_back_to_the_exact_source_sentences(tmp_path: Path) -> None:
    """Nonsense pinned to real sentence numbers fails the deterministic check, and so does its
    repair; each failed point falls back to the source sentence its claim cited, word for word,
    which is checked like any other sentence. None of the nonsense is printed."""
    corpus = storm(tmp_path)
    with FaultServer(always(structured(nonsense))) as server:
        result = _run(server, corpus, "--format", "json")
    assert result.exit_code == 0, result.stderr[-2000:]
    brief = Brief.model_validate_json(result.stdout)
    assert_published_is_verified(brief, forbidden=(NONSENSE, "moon landing"))
    docs = {d.id: d for d in brief.documents}
    for s in [*brief.bottom_line, *brief.key_points]:
        (c,) = s.citations
        assert s.text == " ".join(docs[c.doc_id].text[c.start : c.end].split())  # the source's own words
    assert "from its source sentence" in result.stderr
    _bounded(server)


def test_transport_faults_are_retried_exactly_up_to_the_limit(tmp_path: Path) -> None:
    with FaultServer(always(http_error(500))) as server:
        assert_clean_failure(_run(server, storm(tmp_path), "--concurrency", "1"))
    assert server.stages() == ["Extraction"] * MAX_ATTEMPTS  # the first failing call stops the run


def test_a_huge_retry_after_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server asking for an hour's pause gets at most retry_max_delay (60 s by default; 0.05 here
    through the config file): the retries stay bounded in time as well as in number."""
    config = tmp_path / "config.toml"
    config.write_text("retry_max_delay = 0.05\n")
    monkeypatch.setenv("BRIEFER_CONFIG", str(config))
    with FaultServer(always(http_error(429, retry_after="3600"))) as server:
        error = assert_clean_failure(_run(server, storm(tmp_path), "--concurrency", "1"))
    assert "HTTP 429" in error and len(server.requests) == MAX_ATTEMPTS


# Faults that clear after a while: the run must recover and publish only verified sentences.
TRANSIENT: dict[str, Script] = {
    "malformed JSON once": first(1, text_answer("{not json")),
    "empty choices twice": first(2, no_choices),
    "a refusal for one document": first(1, refusal),
    "a timeout": first(1, hang(5)),
    "a storm of 429s": per_call(MAX_ATTEMPTS - 1, http_error(429, retry_after="0")),
    "503s": first(2, http_error(503)),
    "a connection closed mid-response": first(2, hang_up),
    "malformed compose answer": on_stage("Composition", text_answer('{"bottom_line": [}'), times=1),
    "invented composition ids": on_stage("Composition", structured(invented_ids), times=2),
    "a judge with invented ids": on_stage("Judgements", structured(invented_ids), times=2),
    "a lying composer and a judge that approves everything": always(structured(inventing_composer)),
    "nonsense compose, honest repair": on_stage("Composition", structured(nonsense)),
}


@pytest.mark.parametrize("fault", list(TRANSIENT), ids=list(TRANSIENT))
def test_a_fault_that_clears_ends_in_a_verified_brief(
    tmp_path: Path, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_timeout_for(fault, monkeypatch)
    corpus = storm(tmp_path)
    target = Output(tmp_path / "brief.json")
    with FaultServer(TRANSIENT[fault]) as server:
        result = _run(server, corpus, "--format", "json", "-o", str(target.path), "--concurrency", "1")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert result.stdout == "" and "Traceback" not in result.stderr
    brief = Brief.model_validate_json(target.path.read_text(encoding="utf-8"))
    assert_published_is_verified(brief, forbidden=(NONSENSE, *INVENTED, "moon landing", "resigned", "300"))
    _bounded(server)


def test_invented_sentences_are_at_most_shown_as_unverified(tmp_path: Path) -> None:
    """The lying composer's sentences fail the deterministic check even though the judge approves
    them; if they are repaired, the repair is a verified rewrite, and whatever stays unverified is
    labelled so in the Markdown, never stated as fact."""
    with FaultServer(always(structured(inventing_composer))) as server:
        result = _run(server, storm(tmp_path))
    assert result.exit_code == 0, result.stderr
    for line in result.stdout.splitlines():
        for invented in INVENTED:
            if invented.rstrip(".") in line:
                assert "Unverified, not stated as fact" in line, line


def test_faulty_answers_are_not_cached_for_the_next_run(tmp_path: Path) -> None:
    """With the response cache on, a cut-off answer must not be stored: the next run asks again and
    succeeds once the model is well, instead of replaying the fault from the cache."""
    corpus = storm(tmp_path)

    def cached(server: FaultServer, *extra: str) -> Any:
        args = ["--engine", "llm", "--base-url", server.base_url, "--cache-dir", str(tmp_path / "cache")]
        return briefer(corpus, *args, "--concurrency", "1", *extra)

    with FaultServer(on_stage("Composition", truncated, times=1)) as server:
        assert_clean_failure(cached(server))
        assert server.stages() == ["Extraction"] * N_DOCS + ["Composition"]
        result = cached(server, "--format", "json")
        assert result.exit_code == 0, result.stderr
    # the second run took the extractions from the cache and asked for the composition again
    assert server.stages()[N_DOCS + 1 :] == ["Composition", "Judgements"]
    assert json.loads(result.stdout)["report"]["usage"]["cache_hits"] == N_DOCS
