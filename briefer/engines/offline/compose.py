"""Stage 3 (offline engine): turn claims into a bottom line, key points and open questions.

The same fact told by several outlets becomes one key point that cites every outlet carrying it; the
number of outlets (corroboration), how central the claim is to the whole set and how early it comes
in its article decide what fits the word budget. Open questions come only from evidence: sentences
where sources rebut each other or give different figures, unnamed sourcing, hedged predictions, and
the sources' own statements that something is unknown.

Which facts fill the page is decided by coverage of distinct content (`coverage.py`). Everything here
is extractive (a source sentence, at most with a leading connective, a section label or a trailing
clause removed: `standalone.clean`, `trim.shorter_forms`), and every sentence still goes through the
verifier before it is printed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from briefer.core import lexicon
from briefer.core.attribution import attributed
from briefer.core.budget import content_budget, word_count
from briefer.core.models import (
    Citation,
    Claim,
    Document,
    Draft,
    OpenQuestion,
    QuestionKind,
    SummarySentence,
    is_view_label,
)
from briefer.core.text import (
    MONTHS,
    STOPWORDS,
    WEEKDAYS,
    characterises,
    figures,
    month_start,
    numbers,
    quotations,
)
from briefer.engines.offline.coverage import (
    MAX_POOL,
    Option,
    Weights,
    concepts_of,
    fill,
    full_names_first,
    repeats,
    weigh,
)
from briefer.engines.offline.extract import forecasts
from briefer.engines.offline.facts import FIGURE, carried_elsewhere, figures_of, is_duplicate, key, says_again
from briefer.engines.offline.groups import (
    CITE_COVERAGE,
    KIND_WEIGHT,
    MAX_BLOCK,
    Group,
    Vector,
    claim_vectors,
    corroborates,
    cosine,
    group_claims,
)
from briefer.engines.offline.introduce import introduce_names
from briefer.engines.offline.passages import Context, follow_on, follows_across, qualifies
from briefer.engines.offline.previews import Reports
from briefer.engines.offline.standalone import back_role, clean, printable
from briefer.engines.offline.trim import shorter_forms

FIGURE_SIMILARITY = 0.4  # two sentences giving different numbers for the same unit must be this alike
MAX_RICHER = 60  # unprinted facts read for a fuller telling of a printed one (bounded work)
QUALIFIER_WEIGHT = 3.0  # a sentence that qualifies a printed line ("But ...") is wanted right after it
UNKNOWN = re.compile(
    r"\b(?:remains? (?:uncertain|unclear|unknown)|(?:is|are|was|were) (?:still )?(?:not (?:yet )?known|"
    r"unknown|unclear|uncertain)|it is not (?:yet )?(?:known|clear)|(?:did|do|does|has|have|had) not "
    r"(?:yet )?(?:say|said|disclose[d]?|specif(?:y|ied)|confirm(?:ed)?|reveal(?:ed)?|comment(?:ed)?|"
    r"respond(?:ed)?|release[d]?|identif(?:y|ied)|explain(?:ed)?|announce[d]?|decide[d]?|"
    r"determine[d]?|name[d]?|publish(?:ed)?)|it remains to be seen|"
    r"declined to (?:comment|say|elaborate|confirm)|"
    r"no (?:details|information|timeline|figures|explanation|word)\b|unclear (?:whether|how|when|"
    r"why|what|who)|yet to be (?:confirmed|determined|announced|verified|disclosed)|could not be "
    r"(?:independently )?(?:verified|confirmed|reached))",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)  # every claim is asked when the key points and the questions are chosen
def tells_unknown(text: str) -> bool:
    """Whether a sentence says something is unknown, unclear or unconfirmed (`UNKNOWN`)."""
    return UNKNOWN.search(text) is not None


# A rebuttal denies, rejects or disputes, or calls something false as a predicate ("the claims are
# baseless", "... is misleading"): "misleading claims about vaccines" describes, it answers no one.
REBUTTAL = re.compile(
    r"\b(?:den(?:y|ies|ied)|reject(?:s|ed)?|dismiss(?:es|ed)?|refut(?:e|es|ed)|disput(?:e|es|ed)|"
    r"contrary to)\b|"
    r"\b(?:is|are|was|were|be|been|being|as|called\s+\w+|calling\s+\w+)\s+(?:\w+ly\s+)?(?:misleading|false|"
    r"baseless|unfounded|untrue|not true|fabricat\w+|inaccurate)\b",
    re.IGNORECASE,
)
ACCUSATION = re.compile(
    r"\b(?:accus\w+|alleg\w+|condemn\w*|denounc\w+|blam\w+|claim\w*|charg\w+|aggress\w+|"
    r"provocation|threat\w*)\b",
    re.IGNORECASE,
)


def _sentence(sid: str, claims: list[Claim], text: str | None = None) -> SummarySentence:
    citations: list[Citation] = []
    for claim in claims:
        for c in claim.citations:
            if c not in citations:
                citations.append(c)
    return SummarySentence(
        id=sid, text=text or clean(claims[0].text), claim_ids=[c.id for c in claims], citations=citations
    )


def _plain_claim(claim: Claim) -> bool:
    """Claims fit to be stated in the bottom line and key points.

    Forecasts go to open questions unless a named speaker makes them (then "X said Y could happen" is a
    reportable fact); statements that something is unknown and bare quotations without their speaker
    are left to open questions too (a quotation that names its speaker is a reportable fact).
    """
    if claim.kind == "prediction" and (claim.speaker is None or claim.anonymous):
        return False
    bare_quote = claim.text.startswith(("\u201c", '"')) and claim.speaker is None
    return not tells_unknown(claim.text) and not bare_quote


def _hedged_report(claim: Claim) -> bool:
    """A forecast on the record, printed in its own hedged words ("Bergdahl is expected to plead
    guilty ..."): what the bottom line says of a story whose every claim looks ahead. The hedge is
    printed with it, so the page reports an expectation, never an outcome; an unnamed source's
    forecast stays an open question."""
    bare_quote = claim.text.startswith(("\u201c", '"')) and claim.speaker is None
    return (
        claim.kind == "prediction"
        and not claim.anonymous
        and not tells_unknown(claim.text)
        and not bare_quote
    )


DISPUTE_ALLOWANCE = 1.5  # a dispute between sources is what a reader most needs: it may overrun a little
MAX_QUESTION_CANDIDATES = 2000  # open questions look at the most salient claims only (bounded work)
MAX_SINGLE_SOURCE = 20  # single-source and unnamed-source candidates kept (bounded work)
MAX_SINGLE_SOURCE_READ = 80  # single-source candidates read against every other document (bounded work)


def _rebuttal_pair(ranked: list[Claim], vectors: list[Vector]) -> list[Claim] | None:
    """The most salient rebuttal and the accusation it most likely answers ("X accused...", "Y denied...")."""
    rebuttals = [i for i, c in enumerate(ranked) if REBUTTAL.search(c.text)][:50]
    accusations = [
        i for i, c in enumerate(ranked) if ACCUSATION.search(c.text) and not REBUTTAL.search(c.text)
    ]
    for i in rebuttals:
        if accusations:
            sim, j = max((cosine(vectors[i], vectors[j]), j) for j in accusations)
            if sim > 0.05:
                return [ranked[j], ranked[i]]
    return None


def _figure_pair(ranked: list[Claim], vectors: list[Vector]) -> list[Claim] | None:
    """Two outlets giving different numbers for the same unit in otherwise similar sentences."""
    figs = [figures(c.text) for c in ranked]
    with_figures = [i for i, f in enumerate(figs) if f]
    by_unit: dict[str, list[int]] = defaultdict(list)
    for i in with_figures:
        for _, unit in figs[i]:
            by_unit[unit].append(i)
    for i in with_figures:
        doc = ranked[i].citations[0].doc_id
        for unit in {u for _, u in figs[i]}:
            for j in by_unit[unit][:MAX_BLOCK]:
                if j <= i or ranked[j].citations[0].doc_id == doc:
                    continue
                if (
                    _figures_conflict(figs[i], figs[j])
                    and cosine(vectors[i], vectors[j]) >= FIGURE_SIMILARITY
                ):
                    return [ranked[i], ranked[j]]
    return None


def _open_questions(
    groups: list[Group],
    claims: list[Claim],
    used: set[str],
    n_docs: int,
    budget: int,
    others: dict[str, list[str]],
    docs: dict[str, Document],
    chosen: list[frozenset[str]],
    topic: frozenset[str] = frozenset(),
    reports: Reports | None = None,
) -> list[OpenQuestion]:
    """Evidence-based open questions, most salient first, within budget: fewer but true. Apart from
    a dispute (which shows both sides), a question must add something the page does not say yet: a
    claim that mostly says again a printed fact (`chosen`) or an earlier question
    (`facts.says_again`) is not asked."""
    rank = {c.id: i for i, g in enumerate(groups) for c in g.claims}
    # the most salient first, then only as many printable ones as are read (a stable sort: the same
    # claims as filtering all of them first, without reading every claim of a large input)
    in_order = sorted((c for c in claims if c.id not in used), key=lambda c: rank.get(c.id, len(rank)))
    ranked = list(islice((c for c in in_order if printable(clean(c.text))), MAX_QUESTION_CANDIDATES))
    picks: list[tuple[QuestionKind, list[Claim]]] = []
    picked: set[str] = set()

    def add(kind: QuestionKind, cs: list[Claim]) -> None:
        picks.append((kind, cs))
        picked.update(c.id for c in cs)

    vectors, _ = claim_vectors(ranked) if ranked else ([], {})
    rebuttal = _rebuttal_pair(ranked, vectors)
    if rebuttal and is_duplicate(clean(rebuttal[0].text), chosen, topic)[0]:
        # the page already says the accusation ("North Korea condemned the deal"): the question is
        # the answer to it, which names what it answers ("In response to North Korea's accusations")
        rebuttal = rebuttal[1:]
    for pair in (rebuttal, _figure_pair(ranked, vectors)):
        if pair and not picked.intersection(c.id for c in pair):
            add("sources_disagree", pair)
    carriers = _Carriers.of(claims)
    keys = {t: key(clean(t)) for texts in others.values() for t in texts}  # each sentence read once
    told = {d: [keys[t] for t in texts] for d, texts in others.items()}
    named: dict[str, list[frozenset[str]]] = defaultdict(list)  # what each document tells on the record
    for on_record in (c for c in claims if not c.anonymous and c.text in keys):
        named[on_record.citations[0].doc_id].append(keys[on_record.text])
    tests: list[tuple[QuestionKind, list[Claim]]] = [
        ("information_missing", [c for c in ranked if tells_unknown(c.text)]),
        ("unconfirmed_sourcing", [c for c in ranked if c.anonymous][:MAX_SINGLE_SOURCE]),
        (
            "speculative",  # the forecast must be in the words printed, not in a clause cut off
            [
                c
                for c in ranked
                if c.kind == "prediction"
                and forecasts(clean(c.text))
                and not tells_unknown(c.text)
                and not (reports and reports.overtaken(c))  # the event has happened: no forecast
            ],
        ),
        (
            "single_source",
            [
                c
                for c in islice(
                    (
                        g.lead
                        for g in groups
                        if len(g.doc_ids) == 1
                        and _plain_claim(g.lead)
                        and not _analysis(g.lead)  # an outlet's own reading: no report to confirm
                        and g.lead.id not in used
                        and printable(clean(g.lead.text))
                        and not is_view_label(
                            docs[g.lead.citations[0].doc_id].meta.label
                        )  # one outlet's view
                        and _specific(g.lead, carriers, docs[g.lead.citations[0].doc_id].meta.outlet or "")
                        and not _figure_elsewhere(g.lead, carriers)
                        and not _credits_another(g.lead, docs)
                    ),
                    MAX_SINGLE_SOURCE_READ,
                )
                if not carried_elsewhere(c, others)  # reads every other document: last, and bounded
            ][:MAX_SINGLE_SOURCE]
            if n_docs > 1
            else [],
        ),
    ]
    said = chosen + [key(clean(c.text)) for _, cs in picks for c in cs]  # the page, the disputes

    def fresh(c: Claim) -> bool:
        text = clean(c.text)
        return not says_again(text, said) and not is_duplicate(text, said, topic)[0]

    def fits(kind: QuestionKind, c: Claim) -> bool:
        return c.id not in picked and fresh(c) and not answered_elsewhere(kind, c, told, named, topic)

    for round_ in range(2):  # one of each kind first, then a second of each while there are few
        for kind, candidates in tests:
            c = next((c for c in candidates if fits(kind, c)), None)
            if c is not None and (round_ == 0 or len(picks) < 5):
                add(kind, [c])
                said.append(key(clean(c.text)))
    questions: list[OpenQuestion] = []
    spent = 0
    group_of = {c.id: g for g in groups for c in g.claims}

    def cited(kind: QuestionKind, c: Claim) -> list[Claim]:
        """What a question's sentence cites: every outlet that carries it (a forecast or an unknown
        three outlets quote alike), but a dispute's side or a lone report only its own."""
        if kind in ("single_source", "sources_disagree") or c.id not in group_of:
            return [c]
        return _cites(c, group_of[c.id])

    for n, (kind, cs) in enumerate(picks):
        sentences = [
            _sentence(
                f"q{n}.{k}",
                cites,
                attributed(
                    clean(c.text), [docs[x.citations[0].doc_id] for x in cites], analysis=_analysis(c)
                ),
            )
            for k, c in enumerate(cs)
            for cites in (cited(kind, c),)
        ]
        cost = sum(word_count(s.text) for s in sentences) + 3
        if spent + cost > budget * (DISPUTE_ALLOWANCE if kind == "sources_disagree" else 1.0):
            continue
        spent += cost
        questions.append(OpenQuestion(kind=kind, sentences=sentences))
    return questions


def answered_elsewhere(
    kind: QuestionKind,
    claim: Claim,
    told: dict[str, list[frozenset[str]]],
    named: dict[str, list[frozenset[str]]],
    topic: frozenset[str],
) -> bool:
    """Whether another document makes a question of `kind` on `claim` false: "only one source" when
    any other document tells the fact (`told`), "unnamed source" when any sentence tells it on the
    record (`named`: "officials said" beside another outlet's "the attorney general announced", or
    the same article's "the Pentagon issued a statement")."""
    if kind == "single_source":
        return _told_elsewhere(claim, told, topic)
    if kind == "unconfirmed_sourcing":  # the article itself may name who says it, further on
        return _told_elsewhere(claim, named, topic, own_too=True)
    return False


def _told_elsewhere(
    claim: Claim, told: dict[str, list[frozenset[str]]], topic: frozenset[str], own_too: bool = False
) -> bool:
    """Another document (or, `own_too`, another sentence of the same one) tells the claim's fact in
    its own words, as the page's repeat test reads it (`facts.is_duplicate`: shared concepts, word
    pairs, the same reaction, request or tally): then "only one source reports it" would be false."""
    own = claim.citations[0].doc_id
    elsewhere = [k for d, keys in told.items() if own_too or d != own for k in keys]
    return is_duplicate(clean(claim.text), elsewhere, topic)[0]


_NAME_WORD = re.compile(r"(?<=\s)[A-Z][\w\u2019'.-]*")  # a capitalised word, a sentence's first aside


@lru_cache(maxsize=65536)
def _word(token: str) -> str:
    """A name word without its possessive or full stop ("Biden's", "Jr.")."""
    if token.endswith(("'s", "\u2019s")):
        return token[:-2]
    return token[:-1] if token.endswith(".") else token


@dataclass(frozen=True)
class _Carriers:
    """Which documents give each figure and each capitalised word: read once per brief, so asking
    of every single-source candidate what the other documents give costs no pass over their text."""

    figures: dict[str, frozenset[str]]
    names: dict[str, frozenset[str]]

    @classmethod
    def of(cls, claims: list[Claim]) -> _Carriers:
        """Read from the claims (every body sentence is one), whose figures the page has already
        read: a second pass over each document's whole text cost a tenth of a second at 100 articles."""
        figures: dict[str, set[str]] = defaultdict(set)
        names: dict[str, set[str]] = defaultdict(set)
        for c in claims:
            i = c.citations[0].doc_id
            for n in numbers(c.text):
                figures[n].add(i)
            for w in _NAME_WORD.findall(" " + c.text):
                names[_word(w)].add(i)
        return cls({k: frozenset(v) for k, v in figures.items()}, {k: frozenset(v) for k, v in names.items()})


def _only_in(own: str, carriers: dict[str, frozenset[str]], key: str) -> bool:
    """Whether no document but `own` gives `key`."""
    return not carriers.get(key, frozenset()) - {own}


def _specific(claim: Claim, carriers: _Carriers, outlet: str = "") -> bool:
    """Whether a claim carries a checkable detail that no other document gives: a distinctive figure
    or a name. That detail is what only one source reports; a sentence of colour or comment is not
    worth the flag ("For more than five hours on Monday, the world got a taste of life without ...").
    The document's own `outlet` is no such detail: "in a press release sent to Fox Business, the FDA
    said ..." tells what other outlets report too, only to whom it was sent."""
    text = clean(claim.text)
    own = claim.citations[0].doc_id
    figs = {f.removeprefix(FIGURE) for f in figures_of(text)}
    own_name = {_word(w) for w in _NAME_WORD.findall(" " + outlet)}
    names = {_word(w) for w in _NAME_WORD.findall(text) if _names_someone(w)} - own_name
    return any(_only_in(own, carriers.figures, f) for f in figs) or any(
        _only_in(own, carriers.names, n) for n in names
    )


@lru_cache(maxsize=65536)
def _names_someone(word: str) -> bool:
    """Whether a capitalised word is a name only its outlet may give: not a function word, not a
    title ("Ms.", "Gen."), a month or a weekday, and not the noun of a body ("Department" in "the
    Treasury Department", where another outlet says "the Treasury"): one outlet's house style is no
    detail of its own."""
    low = _word(word).lower()
    return not (
        low in STOPWORDS
        or low in lexicon.words("title_abbreviations")
        or low in MONTHS
        or low in WEEKDAYS
        or (month_start(low) and word.endswith("."))
        or low in lexicon.words("openers/groups")
    )


def _credits_another(claim: Claim, docs: dict[str, Document]) -> bool:
    """Whether a claim names another document's outlet as its source ("..., according to reports first
    shared by the Washington Post", "the New York Times reported"): that outlet is in the folder and
    carries it, so "only one source reports" it would be false whatever words each outlet uses."""
    own = claim.citations[0].doc_id
    text = claim.text
    return any(
        d != own and doc.meta.outlet and re.search(rf"\b{re.escape(doc.meta.outlet)}\b", text)
        for d, doc in docs.items()
    )


def _figure_elsewhere(claim: Claim, carriers: _Carriers) -> bool:
    """Whether another document gives one of the claim's distinctive figures ("Walgreens reported
    wasting 2.6 million doses, CVS 2.2 million ..." beside another outlet's "nearly 2.6 million"):
    then "only one source reports" it is at best half true."""
    own = claim.citations[0].doc_id
    figs = {f.removeprefix(FIGURE) for f in figures_of(clean(claim.text))}
    return any(not _only_in(own, carriers.figures, f) for f in figs if not f.endswith("%") and "-" not in f)


def _figures_conflict(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> bool:
    """Same unit, no number in common: e.g. 12 people killed in one outlet, 15 in another."""
    for unit in {u for _, u in a} & {u for _, u in b}:
        if not {n for n, u in a if u == unit} & {n for n, u in b if u == unit}:
            return True
    return False


def _cites(claim: Claim, g: Group) -> list[Claim]:
    """The claims a group's telling `claim` cites: itself first, then those of other outlets whose
    sentence carries most of it (`groups.CITE_COVERAGE`): one fact is not always one sentence. A
    telling in loaded words is its outlet's framing, cited to that outlet alone."""
    if characterises(claim.text):
        return [claim]
    return [claim] + [
        c for c in g.claims if c is not claim and corroborates(claim.text, c.text, CITE_COVERAGE)
    ]


def _analysis(claim: Claim) -> bool:
    """A sentence that interprets in the outlet's own voice (kind `assessment`, no speaker), or that
    characterises what it reports in loaded words (`core.text.characterises`: "The mainstream media
    were up in arms ..."): printed with the outlet's name, never as the brief's own statement."""
    return (claim.kind == "assessment" and claim.speaker is None) or characterises(claim.text)


def _from_view(claim: Claim, docs: dict[str, Document]) -> bool:
    """Whether the claim comes from a piece labelled as a view (opinion, analysis, column)."""
    doc = docs.get(claim.citations[0].doc_id)
    return doc is not None and is_view_label(doc.meta.label)


def _options(
    g: Group, docs: dict[str, Document], context: Context, plain: Callable[[Claim], bool] = _plain_claim
) -> list[Option[Group]]:
    """The ways a group can be printed: each outlet's telling that stands on its own, whole and in its
    safe shorter forms (`trim.shorter_forms`), each attributed when its documents are views; where a
    news report tells the fact, a view's own words are not offered (cited beside the report, they
    would go unattributed: "X v. Y, which the court heard on Wednesday, is a tough case"). Outlets
    tell one fact with more or less of it (one says "a change in its investigation", another "a criminal
    inquiry"), so coverage chooses among the tellings, not only the most central one. Words quoted
    from before the news do not tell a fact that another telling reports as news. Concepts are read
    from the source words only, never from the attribution briefer adds."""
    factor = KIND_WEIGHT[g.lead.kind]
    options: list[Option[Group]] = []
    told_as_news = any(plain(c) and not _from_view(c, docs) for c in g.claims)
    told_now = any(plain(c) and c.kind != "background" for c in g.claims)
    for claim in g.claims:
        if not plain(claim):
            continue  # a forecast or a bare quotation is not told as fact, whichever outlet's it is
        if told_as_news and _from_view(claim, docs):
            continue  # a view's words, cited beside a news report, would print its judgement as fact
        if told_now and claim.kind == "background" and quotations(claim.text):
            continue  # words said before the news ("he told KPRC 2 back in March 2020") do not tell it
        for base, prior in context.tellings(claim):
            options += _forms(g, claim, base, prior, docs, factor)
    return options


def tellings_by_fact(documents: list[Document], claims: list[Claim]) -> list[list[Option[Group]]]:
    """Every telling the composer may print of each fact (one list per group, as `_options` offers
    them: each outlet's stand-alone telling, whole and trimmed, attributed where it is a view). What
    any selection under the page's rules chooses from: `bench/recall_bounds.py` reads from it how
    much of a roundup such a selection can recall at best."""
    docs = {d.id: d for d in documents}
    context = Context.of(documents, claims, _plain_claim)
    return [_options(g, docs, context) for g in group_claims(claims)]


def _forms(
    g: Group, claim: Claim, base: str, prior: Claim | None, docs: dict[str, Document], factor: float
) -> list[Option[Group]]:
    """One telling printed whole and in its shorter forms, citing its corroboration (and the claim
    that gives its subject's name). A telling in loaded words is its outlet's framing: it cites that
    outlet alone, which it names, and weighs as an assessment (a plain telling of the fact comes first)."""
    cites = _cites(claim, g) + ([prior] if prior is not None else [])
    factor = min(factor, KIND_WEIGHT["assessment"]) if characterises(claim.text) else factor
    cited = [docs[d] for d in dict.fromkeys(c.citations[0].doc_id for c in cites) if d in docs]
    forms = (base,) if prior is not None else (base, *shorter_forms(base))  # a passage is printed whole
    before = clean(prior.text) if prior is not None else ""
    parts = (before, base[len(before) :].strip()) if before and base.startswith(before + " ") else ()
    return [
        Option(g, text, word_count(text), concepts_of(form), tuple(cites), factor, form, parts)
        for form in forms
        for text in (attributed(form, cited, analysis=_analysis(claim)),)
    ]


def _outlets(o: Option[Group]) -> int:
    """How many documents an option cites."""
    return len({c.citations[0].doc_id for c in o.claims})


@dataclass
class _Page:
    """What the page holds so far: used claims, chosen points' concepts (for repeats) and the
    concepts covered (for coverage), shared by the bottom line, open questions and key points."""

    groups: list[Group]
    docs: dict[str, Document]
    weights: Weights
    context: Context
    used: set[str] = field(default_factory=set)
    chosen: list[frozenset[str]] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    options: dict[tuple[int, bool], list[Option[Group]]] = field(default_factory=dict)  # made once
    printed: list[Option[Group]] = field(default_factory=list)  # the lines picked so far, in order
    follow: dict[int, list[Option[Group]]] = field(default_factory=dict)  # line -> what follows it

    def options_of(self, g: Group, plain: Callable[[Claim], bool] = _plain_claim) -> list[Option[Group]]:
        """A group's options (`_options`), built on first use: every pick of the page reads them, and
        each telling's corroboration is a verifier check."""
        slot = (id(g), plain is _plain_claim)
        if slot not in self.options:
            self.options[slot] = _options(g, self.docs, self.context, plain)
        return self.options[slot]

    def pick(
        self,
        budget: int,
        limit: int,
        in_order: bool = False,
        order: list[Group] | None = None,
        plain: Callable[[Claim], bool] = _plain_claim,
    ) -> list[Option[Group]]:
        """Plain groups whose claims are not used yet (in `order`, or by salience), filled by
        coverage (`coverage.fill`); `plain` says which claims may be told."""
        fresh = [
            g
            for g in (order or self.groups)
            if not any(c.id in self.used for c in g.claims) and any(plain(c) for c in g.claims)
        ]
        options = [o for g in fresh[:MAX_POOL] for o in self.options_of(g, plain)]
        hosts = {}  # a sentence that points back, offered right after its line (`passages.follow_on`)
        if not in_order:
            group_of = {c.id: g for g in fresh for c in g.claims}
            # what points back only by "The vote", "The bill": it may follow another outlet's line
            pointing = [
                c for g in fresh for c in g.claims if c.id in self.context.before and back_role(clean(c.text))
            ]
            for line in self.printed:
                told = is_duplicate(line.said, [], self.weights.topic)[1]

                def tells_line(prior: str, told: frozenset[str] = told) -> bool:
                    return is_duplicate(prior, [told], self.weights.topic)[0]

                across = [c for c in pointing if follows_across(line.said, c, self.context, tells_line)]
                for after in follow_on(line.text, line.claims[0], self.context) + across:
                    if after.id in group_of:
                        option = self._after(group_of[after.id], after)
                        options.append(option)
                        hosts[id(option)] = line
        picked = fill(options, self.weights, self.covered, self.chosen, budget, limit, in_order=in_order)
        for o in picked:
            self.used.update(c.id for c in o.item.claims)
            if id(o) in hosts:
                self.follow.setdefault(id(hosts[id(o)]), []).append(o)
        new = [o for o in picked if id(o) not in hosts]
        self.printed += new
        return new

    def _after(self, g: Group, claim: Claim) -> Option[Group]:
        """`claim` printed right after the line it follows in its source: it shares that line's
        citation marker, so it costs only its words."""
        text = clean(claim.text)
        cites = tuple(_cites(claim, g))
        factor = KIND_WEIGHT[g.lead.kind] * (QUALIFIER_WEIGHT if qualifies(claim) else 1.0)
        return Option(g, text, word_count(text), concepts_of(text), cites, factor)

    def richer(self, lines: list[Option[Group]], room: int, asked: list[str]) -> list[Option[Group]]:
        """The lines, where words are left over, each in a fuller telling of its own fact: another
        telling of its group, or of a fact not printed that only repeats it, that adds the most weight
        the rest of the page does not cover, fits what is left and cites as many outlets. A page the
        fill could not fill (what is left repeats a line, or is too long) is spent on the printed
        facts' detail (the case's name, the vote), never on a fact told twice."""
        lines = list(lines)
        topic = self.weights.topic
        spare = [
            o
            for g in self.groups[:MAX_RICHER]
            if not any(c.id in self.used for c in g.claims)
            for o in self.options_of(g)
        ]
        # what the page remembers of each line and question (`facts.is_duplicate`), and what the
        # questions cover: read once, a line's key renewed only when that line is replaced
        keys = [is_duplicate(x.said, [], topic)[1] for x in lines]
        asked_keys = [is_duplicate(t, [], topic)[1] for t in asked]
        asked_concepts = {c for t in asked for c in concepts_of(t)}
        while room > 0:
            top: tuple[float, int, Option[Group]] | None = None
            for i, o in enumerate(lines):
                if id(o) in self.follow:
                    continue  # a line that a following sentence joins keeps its words
                rest = keys[:i] + keys[i + 1 :] + asked_keys
                covered = {c for j, x in enumerate(lines) if j != i for c in x.concepts} | asked_concepts
                now = self.weights.gain(o.concepts, covered) * o.factor
                own = self.options_of(o.item)
                retold = [a for a in spare if is_duplicate(a.said, [keys[i]], topic)[0]]
                for alt in (a for a in own + retold if not self._borrows_used(a)):
                    if alt.cost - o.cost > room or alt.text == o.text or _outlets(alt) < _outlets(o):
                        continue  # too long, the same, or citing fewer of the outlets that carry the fact
                    gain = self.weights.gain(alt.concepts, covered) * alt.factor - now
                    if gain > 0 and (top is None or gain > top[0]) and not repeats(alt, rest, topic):
                        top = (gain, i, alt)
            if top is None:
                break
            _, i, alt = top
            room -= alt.cost - lines[i].cost
            self.used.update(c.id for c in alt.item.claims)
            spare = [o for o in spare if o.item is not alt.item]
            lines[i] = alt
            keys[i] = is_duplicate(alt.said, [], topic)[1]
        return lines

    def _borrows_used(self, o: Option[Group]) -> bool:
        """Whether an option cites, beyond its own fact, a claim the page already uses (a passage's
        sentence before): printed, it would tell that claim twice."""
        return any(c.id in self.used for c in o.claims if c not in o.item.claims)

    def line(self, sid: str, o: Option[Group]) -> SummarySentence:
        """A picked option as a sentence of the page, with what follows it in its source."""
        after = self.follow.get(id(o), [])
        text = " ".join([o.text, *(a.text for a in after)])
        return _sentence(sid, [*o.claims, *(c for a in after for c in a.claims)], text)


HEADLINE_WEIGHT = 1.0
"""How much saying the news headlines raises a fact for the bottom line: at 1.0 a fact that says all
the headlines' words weighs double. Chosen on two editors' readings (the bottom line must give the
news: who did what), not on roundup recall, which it lowers by about a point (docs/BRIEF_QUALITY.md)."""


QUESTION_WORDS = 25  # the open questions' room at least, whatever the budget
LEAD_WORDS = 45
"""The bottom line's room on a small page: a quarter of the budget, but at least this many words (a
news lead runs 30-40 words), so that at 150 words the news is not passed over for a shorter line."""


def news_first(groups: list[Group], documents: list[Document], reports: Reports | None = None) -> list[Group]:
    """The groups in the order the bottom line reads them: salience, raised by how much of the news
    headlines a fact's lead says. A headline states the event (who did what); a sentence of
    background, caveat or reaction can be central to the articles and still not be the news. Only
    news headlines count: an opinion headline states a view. A preview of an event another outlet
    reports (`previews.Reports.overtaken`) goes last: the report of the event leads."""
    titles = [
        concepts_of(d.meta.title) for d in documents if d.meta.title and not is_view_label(d.meta.label)
    ]
    ordered = groups
    if titles:
        carried = Counter(c for t in titles for c in t)
        affinity = {id(g): sum(carried[c] for c in concepts_of(g.lead.text)) / len(titles) for g in groups}
        top = max(affinity.values()) or 1.0
        ordered = sorted(groups, key=lambda g: -g.salience * (1 + HEADLINE_WEIGHT * affinity[id(g)] / top))
    if reports is None:
        return ordered
    head = ordered[:LEAD_CANDIDATES]  # the bottom line reads only the first few: the rest need no test
    late = {id(g) for g in head if reports.overtaken(g.lead)}
    return (
        [g for g in head if id(g) not in late]
        + ordered[LEAD_CANDIDATES:]
        + [g for g in head if id(g) in late]
    )


LEAD_CANDIDATES = 20  # groups at the head of the bottom line's order read for previews overtaken
LEAD_SHARE_MAX = 0.4
"""The share of a small page the news lead may take when its sentence is longer than `LEAD_WORDS`: a
46-word lead that states the event still leads, rather than a shorter sentence of background."""


def _news_cost(page: _Page, news: list[Group]) -> int:
    """The words of the shortest printable form of the first fact in the bottom line's order that
    has one (0: none)."""
    for g in news[:LEAD_CANDIDATES]:
        if options := page.options_of(g):
            return min(o.cost for o in options)
    return 0


def compose(documents: list[Document], claims: list[Claim], max_words: int = 450) -> Draft:
    """Bottom line (2-3 sentences), then open questions, then key points, within `max_words`.

    Open questions are chosen before key points so that the evidence for them (a rebuttal, an
    unnamed source, a forecast) is not used up as a key point first.
    """
    docs = {d.id: d for d in documents}
    max_words = content_budget(sum(word_count(d.text) for d in documents), len(documents), max_words)
    groups = group_claims(claims)
    n_docs = len({c.citations[0].doc_id for c in claims})
    page = _Page(groups, docs, weigh(documents, claims), Context.of(documents, claims, _plain_claim))
    used, pick = page.used, page.pick

    # The bottom line leads with the most salient facts (centrality, corroboration, position); the
    # key points then fill the page by coverage of what the bottom line and questions left unsaid.
    reports = Reports.of(claims)
    news = news_first(groups, documents, reports)
    # room for the news lead, and still for the open questions' least (the page's budget holds both)
    lead_room = max(int(max_words * 0.25), min(LEAD_WORDS, max_words - QUESTION_WORDS))
    lead_room = max(lead_room, min(_news_cost(page, news), int(max_words * LEAD_SHARE_MAX)))
    bottom = pick(budget=lead_room, limit=2, in_order=True, order=news)
    if not bottom:  # small budgets: the most salient sentence that fits the page at all
        bottom = pick(budget=int(max_words * 0.8), limit=1, in_order=True, order=news)
    if not bottom and not any(_plain_claim(c) for c in claims):
        # every claim looks ahead ("is expected to plead guilty"): the page says what is expected,
        # in the sources' hedged words, rather than nothing
        bottom = pick(budget=int(max_words * 0.8), limit=1, in_order=True, order=news, plain=_hedged_report)
    if sum(o.cost for o in bottom) <= 50:  # a third sentence only when the two are short
        bottom += pick(budget=int(max_words * 0.1), limit=1, in_order=True, order=news)
    # in the order picked: the most salient fact leads (a story's order across outlets means nothing)
    spent = sum(o.cost for o in bottom)

    others: dict[str, list[str]] = defaultdict(list)  # each document's sentences, then its headline
    for c in claims:
        others[c.citations[0].doc_id].append(c.text)
    for d, doc in docs.items():
        others[d].append(doc.meta.title or "")
    questions = _open_questions(
        groups,
        claims,
        used,
        n_docs,
        max(QUESTION_WORDS, int(max_words * 0.35)),
        others,
        docs,
        page.chosen,
        page.weights.topic,
        reports,
    )
    used.update(c for q in questions for s in q.sentences for c in s.claim_ids)
    page.chosen.extend(key(s.text) for q in questions for s in q.sentences)  # no key point repeats them
    spent += sum(word_count(s.text) + 3 for q in questions for s in q.sentences)
    page.covered.update(c for q in questions for s in q.sentences for c in concepts_of(s.text))

    points = full_names_first(pick(budget=max_words - spent, limit=10), lambda o: o.text)
    spent += sum(o.cost for o in points) + sum(a.cost for after in page.follow.values() for a in after)
    asked = [s for q in questions for s in q.sentences]
    fuller = page.richer(bottom + points, max_words - spent, [s.text for s in asked])
    spent += sum(o.cost for o in fuller) - sum(o.cost for o in bottom + points)
    bottom, points = fuller[: len(bottom)], fuller[len(bottom) :]
    lines = [page.line(f"b{i}", o) for i, o in enumerate(bottom)]
    lines += [page.line(f"k{i}", o) for i, o in enumerate(points)]
    # a surname the page uses before its full form gets the full form (verified against its span)
    named = introduce_names(lines + asked, documents, max(0, max_words - spent))
    it = iter(named[len(lines) :])
    questions = [q.model_copy(update={"sentences": [next(it) for _ in q.sentences]}) for q in questions]
    return Draft(
        bottom_line=named[: len(bottom)],
        key_points=named[len(bottom) : len(lines)],
        open_questions=questions,
    )
