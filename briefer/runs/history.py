"""New since last brief: what a topic's earlier brief already carried, and which claims of today's are new.

A brief publishes its claims (every claim in its JSON, plus the sentences it printed). The next brief
of the same topic compares its own claims with those and lists, under "New since last brief (DATE)",
up to three that are new, each citing its source span and checked by the verifier like any other
sentence. Nothing new, no section.

Matching is by meaning, not by exact text, because a second outlet or an updated article words the
same fact differently. The signal is the verifier's content coverage (`briefer.verify.coverage`): a claim is
*known* when at least half (KNOWN_COVERAGE) of its content terms (stemmed, stopwords removed), and
at least two, occur in one earlier claim, and every figure it states occurs there too. So "landfall
near Ravenna ... left 40,000 homes without power" matches "landfall near the port city of Ravenna ...
leaving 40,000 homes without power" (0.8), while "at least 15 people were killed" is new against "at
least 12 people were killed": the same words with a different figure, which is news.

Where the earlier claims come from: `briefer batch` keeps them per topic next to the topic's first
output (`<output>.published.json`, written with the outputs), and `briefer run --since-brief
PREVIOUS.json` reads them from an earlier `--format json` brief.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from briefer.core.budget import word_count
from briefer.core.errors import InputError, problems
from briefer.core.models import Brief, Claim, NewSince, SummarySentence
from briefer.core.text import DANGLING_START, compress, content_terms, normalize, numbers
from briefer.verify import verify_sentence

log = logging.getLogger("briefer")

# Share of a claim's content terms that one earlier claim must hold for "already known": the verifier's
# partial-support level. On 25 AllSides clusters (54 claims of the third outlet against the claims of the
# first two) every best match at 0.50 or above restated the same fact; between 0.40 and 0.50 were both
# rewordings of the same fact and related but different facts, so a loosely reworded fact may still be
# listed as new (the cheaper mistake: the section is short and every line is cited); below, different.
KNOWN_COVERAGE = 0.5
MAX_POINTS = 3
MAX_WORDS = 90  # the section stays short; the page cap still applies to the whole brief
MIN_TERMS = 4  # claims with fewer content terms ("That is simply not true.") are not news on their own
KIND_ORDER = {"event": 0, "figure": 0, "statement": 1, "quote": 1, "assessment": 2, "prediction": 2}
FORMAT_VERSION = 1


class PublishedClaim(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    source: str = ""  # the document's path, for people reading the file


class Published(BaseModel):
    """What one brief of a topic carried: the store the next brief is compared with."""

    model_config = ConfigDict(extra="ignore")
    format: int = FORMAT_VERSION
    topic: str | None = None
    generated_at: datetime
    claims: list[PublishedClaim]


def published(brief: Brief, topic: str | None = None) -> Published:
    """The claims a brief published: all its claims and the sentences it printed."""
    paths = {d.id: d.path for d in brief.documents}
    claims = [PublishedClaim(text=c.text, source=paths.get(c.citations[0].doc_id, "")) for c in brief.claims]
    printed = [*brief.bottom_line, *brief.key_points, *(brief.new_since.points if brief.new_since else [])]
    claims += [PublishedClaim(text=s.text, source=paths.get(s.doc_ids[0], "")) for s in printed]
    when = brief.report.generated_at or datetime.now(UTC)
    return Published(topic=topic, generated_at=when, claims=claims)


def read_published(path: Path) -> Published | None:
    """A topic's stored claims, or None when there are none yet. A damaged file is logged and ignored:
    the brief is then written without the section, never refused."""
    try:
        return Published.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValidationError) as e:
        log.warning("ignoring %s, the record of the last brief (%s)", path, str(e).splitlines()[0])
        return None


def from_brief_file(path: Path) -> Published:
    """The claims of an earlier `briefer run --format json` output (for `--since-brief`)."""
    try:
        if path.exists() and not path.is_file():  # /dev/zero would be read without end
            raise InputError(f"--since-brief: {path} is not a regular file")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"--since-brief: no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"--since-brief: cannot read {path}: {e}") from None
    try:
        brief = Brief.model_validate_json(text)
    except ValidationError as e:
        raise InputError(
            f"--since-brief: {path} is not a brief written with --format json "
            f"({e.error_count()} problem{'s' * (e.error_count() != 1)}, e.g. {_first(e)})"
        ) from None
    result = published(brief)
    if brief.report.generated_at is None:  # written before briefs carried a date: use the file's
        try:
            when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except (OverflowError, ValueError, OSError):  # a modification time past the calendar's ends
            when = datetime.now(UTC)
        result = result.model_copy(update={"generated_at": when})
    return result


def _first(e: ValidationError) -> str:
    return problems(e, 1, top="top level")[0]


# --- matching ------------------------------------------------------------------------------------


class KnownClaims:
    """Earlier claims indexed by content term, so each new claim is compared only with the earlier
    claims it shares words with (a topic over hundreds of articles stays fast)."""

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self.exact: set[str] = set()
        self.numbers: list[frozenset[str]] = []
        self.index: dict[str, list[int]] = {}
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        self.exact.add(normalize(text).lower())
        for t in set(content_terms(text)):
            self.index.setdefault(t, []).append(len(self.numbers))
        self.numbers.append(frozenset(numbers(text)))

    def knows(self, text: str) -> bool:
        """Whether one earlier claim carries this text's meaning (see the module docstring)."""
        if normalize(text).lower() in self.exact:
            return True
        terms = set(content_terms(text))
        if not terms:
            return True
        shared = Counter(i for t in terms for i in self.index.get(t, ()))
        figures = numbers(text)
        return any(
            n >= 2 and n / len(terms) >= KNOWN_COVERAGE and figures <= self.numbers[i]
            for i, n in shared.items()
        )


def new_claims(claims: Sequence[Claim], previous: Published) -> Iterator[Claim]:
    """Claims no earlier claim carries, most newsworthy first: events and figures, then statements,
    then assessments and predictions (background never), plain before hedged or anonymous, claims that
    open with a pronoun ("It said...") last, and in document order within each, since articles lead with
    their news. Restatements among the new claims themselves count once. A generator: the caller stops
    after the few it prints."""
    known = KnownClaims([c.text for c in previous.claims])
    fresh = [
        c
        for c in claims
        if c.kind in KIND_ORDER and len(set(content_terms(c.text))) >= MIN_TERMS and not known.knows(c.text)
    ]
    ranked = sorted(
        enumerate(fresh),
        key=lambda ic: (
            bool(DANGLING_START.match(compress(ic[1].text))),
            KIND_ORDER[ic[1].kind],
            ic[1].hedged or ic[1].anonymous,
            ic[0],
        ),
    )
    given = KnownClaims()
    for _, claim in ranked:
        if not given.knows(claim.text):
            given.add(claim.text)
            yield claim


def new_since(brief: Brief, previous: Published) -> NewSince | None:
    """The section for `brief`: up to MAX_POINTS new claims that pass verification, or None."""
    docs = {d.id: d for d in brief.documents}
    points: list[SummarySentence] = []
    words = 0
    for claim in new_claims(brief.claims, previous):
        if len(points) >= MAX_POINTS:
            break
        size = word_count(claim.text)
        if points and words + size > MAX_WORDS:
            continue
        sentence = SummarySentence(
            id=f"n{len(points)}", text=claim.text, claim_ids=[claim.id], citations=claim.citations
        )
        verdict = verify_sentence(sentence, docs)
        if verdict.label != "supported":
            continue
        points.append(sentence.model_copy(update={"verdict": verdict}))
        words += size
    if not points:
        return None
    return NewSince(since=previous.generated_at, points=points)
