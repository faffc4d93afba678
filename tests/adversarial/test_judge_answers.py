"""A judge whose answers are keyed wrong never sinks the brief (issue 14, item 4).

Every judge here answers through `adversary.FaultServer` on 127.0.0.1; everything else is the fixture
server's authored answer. The judged sentences print; a sentence the judge never labels is withheld as
unverified with that reason (and printed nowhere else); a sentence labelled twice keeps the worse label.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from adversary import LOCAL_ONLY, FaultServer, assert_published_is_verified, briefer, llm_args, storm
from fixture_server import Scenario, answer, first_user, tagged

from briefer.core.models import Brief

pytestmark = LOCAL_ONLY


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-judge-0000000000")


def judge_reply(edit: Any) -> Any:
    """A script: judge requests get the fixture's verdicts passed through `edit(n, verdicts)` (n counts
    judge requests from 1); every other request gets the fixture's answer."""
    count = [0]
    lock = threading.Lock()

    def script(n: int, stage: str, body: dict[str, Any]) -> Any:
        if stage != "Judgements":
            return None
        with lock:
            count[0] += 1
            k = count[0]

        def reply(h: Any, body: dict[str, Any], stage: str) -> None:
            from fixture_server import completion

            _, content = answer(body, Scenario())
            content["verdicts"] = edit(k, content["verdicts"])
            h.send_json(200, completion(body, stage, content))

        return reply

    return script


def judged_ids(server: FaultServer) -> list[list[str]]:
    """The sentence ids of each judge request, in order."""
    return [
        [t["id"] for t in tagged(first_user(r["body"]))]
        for r in server.requests
        if r["stage"] == "Judgements"
    ]


def brief_of(server: FaultServer, tmp_path: Path) -> tuple[Brief, str]:
    result = briefer(storm(tmp_path), *llm_args(server, "--format", "json", "--llm-mode", "tools"))
    assert result.exit_code == 0, result.stderr[-2000:]
    return Brief.model_validate_json(result.stdout), result.stderr


def printed(brief: Brief) -> list[str]:
    return [
        s.id
        for s in [*brief.bottom_line, *brief.key_points]
        + [s for q in brief.open_questions for s in q.sentences]
    ]


def test_a_judge_that_mis_keys_ids_is_asked_again_for_the_missing_ones_only(tmp_path: Path) -> None:
    """The first answer keys every other sentence under an id that does not exist and repeats one;
    the re-ask carries only the sentences left without a verdict, and then all of them print."""

    def mis_key(k: int, verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if k > 1:
            return verdicts
        wrong = [  # under an id that does not exist, and with no evidence ids to place it by
            {**v, "sentence_id": f"x{v['sentence_id']}", "evidence_ids": []} if i % 2 else v
            for i, v in enumerate(verdicts)
        ]
        return wrong + wrong[:1]  # and one sentence labelled twice

    with FaultServer(judge_reply(mis_key)) as server:
        brief, stderr = brief_of(server, tmp_path)
    first, again = judged_ids(server)
    assert len(first) >= 2 and again == first[1::2]  # only the mis-keyed ones
    assert "asking again for those only" in stderr
    assert sorted(printed(brief)) == sorted(first) and not brief.dropped
    assert_published_is_verified(brief)


def test_a_sentence_the_judge_never_labels_is_withheld_while_the_rest_print(tmp_path: Path) -> None:
    def skip_k0(k: int, verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [v for v in verdicts if v["sentence_id"] != "k0"]

    with FaultServer(judge_reply(skip_k0)) as server:
        brief, _ = brief_of(server, tmp_path)
    asked = judged_ids(server)
    assert asked[1:] == [["k0"], ["k0"]]  # re-asked for k0 alone, --reasks (2) times, and no repair
    assert "Rewrites" not in server.stages()
    (withheld,) = brief.dropped
    assert (
        withheld.id == "k0" and withheld.verdict and withheld.verdict.reasons[0] == "judge: gave no verdict"
    )
    unverified = [q for q in brief.open_questions if q.kind == "unverified"]
    assert [s.id for q in unverified for s in q.sentences] == ["k0"]
    assert unverified[0].note == "judge: gave no verdict"
    facts = [s.text for s in [*brief.bottom_line, *brief.key_points]]
    assert withheld.text not in facts  # never printed both as supported and as unverified
    stated = [s.id for s in [*brief.bottom_line, *brief.key_points]]
    stated += [s.id for q in brief.open_questions if q.kind != "unverified" for s in q.sentences]
    assert sorted(stated) == sorted(set(asked[0]) - {"k0"})  # every judged sentence prints
    assert_published_is_verified(brief)


def test_supported_and_contradicted_for_one_sentence_is_contradicted(tmp_path: Path) -> None:
    def both(k: int, verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        extra = [
            {**v, "label": "contradicted", "reason": "The evidence says the opposite."}
            for v in verdicts
            if v["sentence_id"].startswith("k0")
        ]
        return verdicts + extra

    with FaultServer(judge_reply(both)) as server:
        brief, _ = brief_of(server, tmp_path)
    first = judged_ids(server)[0]
    assert "k0" in first
    k0 = next((s for s in brief.key_points if s.id == "k0"), None)
    assert k0 is None  # neither the original nor its rewrite was accepted
    (dropped,) = [s for s in brief.dropped if s.id == "k0"]
    assert dropped.verdict and dropped.verdict.label == "contradicted"
    assert any(json.dumps(r["body"]).count("Rewrites") for r in server.requests)  # it was sent to repair
    assert_published_is_verified(brief)


def test_a_judge_that_always_mis_keys_but_cites_the_evidence_is_understood(tmp_path: Path) -> None:
    """Every answer keys its verdicts by position ("1", "2", ...), never by id; each verdict's
    evidence ids still name its sentence, so the verdicts are placed and the verified sentences print
    without a single re-ask."""

    def by_position(k: int, verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**v, "sentence_id": str(i)} for i, v in enumerate(verdicts, 1)]

    with FaultServer(judge_reply(by_position)) as server:
        brief, stderr = brief_of(server, tmp_path)
    (asked,) = judged_ids(server)  # one judge call: nothing was missing
    assert "asking again" not in stderr and not brief.dropped
    assert sorted(printed(brief)) == sorted(asked)
    assert_published_is_verified(brief)
