"""Facts, not sentences (offline engine): claims from different documents that state the same fact
are grouped, so the page prints each fact once citing every outlet that carries it.

Two claims are one fact when their tf-idf vectors of content terms are alike (`GROUP_SIMILARITY`)
and the verifier finds that one of the two spans carries the other's content (`GROUP_COVERAGE`): the
other outlet's span carries the lead's, or the lead's carries the other's (a shorter telling of the
same fact, or a longer one that adds detail to it). A printed telling cites only the claims that carry
most of it (`CITE_COVERAGE`). An index of rare terms bounds the
comparisons, so a large input is not compared all against all.
Groups are ranked by salience: corroboration, centrality and position in their articles.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from briefer.core import lexicon
from briefer.core.budget import word_count
from briefer.core.models import Claim
from briefer.core.text import DANGLING_START, compress
from briefer.engines.offline.facts import gives_figures, terms
from briefer.verify import Evidence, analyse, contradictions_of, coverage

GROUP_SIMILARITY = 0.3  # cosine of tf-idf vectors for "the same fact" across outlets
GROUP_COVERAGE = 0.45  # share of the lead's content words the other outlet's span must carry
CITE_COVERAGE = 0.6
"""Share of a printed telling's content words another outlet's sentence must carry to be cited for it:
more than being one fact asks (`GROUP_COVERAGE`), since a citation says that outlet carries this
sentence, not only its fact ("... made the comments in a meeting with Zients" is not cited to an
outlet that never names the meeting)."""
MAX_BLOCK = 50  # leads listed per index term; a term shared by more is too common to tell facts apart
MAX_CANDIDATES = 16  # leads compared with each claim, those sharing the most rare terms
MAX_CHECKS = 3  # of those, the most similar ones given the verifier's full corroboration check
KIND_WEIGHT = {kind: float(weight) for kind, weight in lexicon.pairs("kind_weights")}


@dataclass
class Group:
    """Claims from different documents that state the same fact; the first one is shown."""

    claims: list[Claim]
    salience: float = 0.0
    doc_ids: set[str] = field(default_factory=set)

    @property
    def lead(self) -> Claim:
        return self.claims[0]


Vector = dict[str, float]


@lru_cache(maxsize=65536)
def _evidence(text: str) -> Evidence:
    """A claim's text analysed as evidence once, however many group leads it is compared with."""
    return analyse([text])


def claim_vectors(claims: list[Claim]) -> tuple[list[Vector], dict[str, float]]:
    """Unit tf-idf vectors of content terms; idf over claims so outlet-wide words weigh little.

    The idf table holds only terms that occur in more than one claim: the only ones worth indexing.
    """
    term_lists = [terms(c.text) for c in claims]
    df = Counter(t for terms in term_lists for t in set(terms))
    n = len(claims)
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    vectors = []
    for claim_terms in term_lists:
        tf = Counter(claim_terms)
        vec = {t: (1 + math.log(c)) * idf[t] for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors, {t: w for t, w in idf.items() if df[t] > 1}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _index_keys(vec: Vector, shared_idf: dict[str, float], keys_per_claim: int = 8) -> list[str]:
    """A claim's rarest terms that some other claim also has: the only terms worth indexing."""
    return sorted((t for t in vec if t in shared_idf), key=lambda t: -shared_idf[t])[:keys_per_claim]


def _candidate_leads(keys: list[str], index: dict[str, list[int]]) -> list[int]:
    """Group leads sharing the most index terms with a claim (at least two when it has three or more).

    Only leads are indexed, each term's list is capped at MAX_BLOCK (the most central leads, which come
    first), and at most MAX_CANDIDATES leads are compared: the work per claim is bounded, so grouping
    grows linearly with the number of claims instead of comparing all pairs.
    """
    shared: Counter[int] = Counter()
    for t in keys:
        shared.update(index.get(t, ()))
    need = 2 if len(keys) >= 3 else 1
    return [j for j, n in shared.most_common(MAX_CANDIDATES) if n >= need]


def _positions(claims: list[Claim]) -> dict[str, float]:
    """Early sentences of an article carry its news (inverted pyramid): 1.0 for the first claim."""
    by_doc: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_doc[c.citations[0].doc_id].append(c)
    out = {}
    for doc_claims in by_doc.values():
        for rank, c in enumerate(sorted(doc_claims, key=lambda c: c.citations[0].start)):
            out[c.id] = 1.0 / (1.0 + rank / 3.0)
    return out


def _cheap_coverage(lead: Vector, other: Vector) -> float:
    """Share of the lead's distinct content terms the other claim has: a fast necessary-ish test
    before the verifier's full check in `corroborates`."""
    return sum(1 for t in lead if t in other) / (len(lead) or 1)


def corroborates(lead: str, other: str, need: float = GROUP_COVERAGE) -> bool:
    """Whether another outlet's sentence carries the core of `lead` without contradicting it.

    Outlets paraphrase, so the other sentence need not support every word; it must carry `need` of
    the content and must not disagree on numbers, negation or direction. The printed sentence is still
    verified against the union of all its spans.
    """
    evidence = _evidence(other)
    return (
        coverage(lead, evidence) >= need
        and gives_figures(lead, other)  # cheap, so before the verifier's contradiction checks
        and not contradictions_of(lead, evidence)  # what makes check_text's label "contradicted"
    )


def group_claims(claims: list[Claim]) -> list[Group]:
    """Greedy grouping: a claim joins the most similar group lead from another document, if close enough
    and if the lead is actually supported by the joining claim's span (so `[1, 2]` is never overclaimed).
    """
    if not claims:
        return []
    vectors, shared_idf = claim_vectors(claims)
    centroid: Vector = defaultdict(float)
    for vec in vectors:
        for t, v in vec.items():
            centroid[t] += v
    norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    unit_centroid = {t: v / norm for t, v in centroid.items()}
    centrality = [cosine(vec, unit_centroid) for vec in vectors]

    counts = Counter(c.citations[0].doc_id for c in claims)
    order = sorted(range(len(claims)), key=lambda i: -centrality[i])
    index: dict[str, list[int]] = defaultdict(list)  # term -> group numbers whose lead has it
    groups: list[Group] = []
    leads: list[int] = []
    for i in order:
        claim = claims[i]
        doc = claim.citations[0].doc_id
        keys = _index_keys(vectors[i], shared_idf)
        close = [
            (sim, g)
            for g in _candidate_leads(keys, index)
            if doc not in groups[g].doc_ids
            and (sim := cosine(vectors[i], vectors[leads[g]])) >= GROUP_SIMILARITY
            and max(
                _cheap_coverage(vectors[leads[g]], vectors[i]), _cheap_coverage(vectors[i], vectors[leads[g]])
            )
            >= GROUP_COVERAGE
        ]
        # The most similar lead this claim corroborates, or that carries this claim; the full check
        # runs best-first, a few at most.
        best = None
        for _, j in sorted(close, reverse=True)[:MAX_CHECKS]:
            lead_text = groups[j].lead.text
            if corroborates(lead_text, claim.text) or corroborates(claim.text, lead_text):
                best = j
                break
        if best is None:
            for t in keys:
                if len(index[t]) < MAX_BLOCK:
                    index[t].append(len(groups))
            groups.append(Group(claims=[claim], doc_ids={doc}))
            leads.append(i)
        else:
            groups[best].claims.append(claim)
            groups[best].doc_ids.add(doc)

    n_docs = len(counts)
    positions = _positions(claims)
    for g, lead in zip(groups, leads, strict=True):
        corroboration = (len(g.doc_ids) - 1) / max(1, n_docs - 1)
        position = max(positions[c.id] for c in g.claims)
        length = word_count(g.lead.text)
        length_factor = 1.0 if 8 <= length <= 45 else 0.6
        dangling = 0.5 if DANGLING_START.match(compress(g.lead.text)) else 1.0
        g.salience = (
            KIND_WEIGHT[g.lead.kind]
            * length_factor
            * dangling
            * (0.45 * centrality[lead] + 0.3 * corroboration + 0.25 * position)
        )
    groups.sort(key=lambda g: -g.salience)
    return groups
