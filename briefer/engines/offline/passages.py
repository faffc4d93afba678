"""What a sentence points back to. A source sentence that opens with a pronoun or a back-reference
("He was fully vaccinated", "The report found ...", "But the company said ...") cannot stand alone on
the page; the issue's rule is to print its antecedent first, or to put the name from the source in
place of the pronoun, or to skip it. This module finds, for each claim, the claim just before it in
its document, and offers the sentence in the forms that stand: named (`introduce.named_subject`),
as a passage after the sentence it follows, or right after a line of the page that is that sentence
(`follow_on`). Whatever is added is cited, so the verifier checks it like every other word.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from briefer.core.models import Claim, Document
from briefer.engines.offline.facts import concepts
from briefer.engines.offline.introduce import named_subject
from briefer.engines.offline.standalone import (
    back_role,
    clean,
    only_points_back,
    opens_with_contrast,
    picks_one_of,
    printable,
)


@dataclass(frozen=True)
class Context:
    """The claim just before and just after each claim in its document (nothing but white space
    between their spans), which claims may be stated as facts, and the sources' text (to tell a
    person's surname from a place or a body)."""

    before: dict[str, Claim]
    after: dict[str, Claim]
    plain: frozenset[str]
    corpus: str

    @classmethod
    def of(cls, documents: list[Document], claims: list[Claim], plain: Callable[[Claim], bool]) -> Context:
        texts = {d.id: d.text for d in documents}
        by_doc: dict[str, list[Claim]] = defaultdict(list)
        for c in claims:
            by_doc[c.citations[0].doc_id].append(c)
        before: dict[str, Claim] = {}
        after: dict[str, Claim] = {}
        for d, cs in by_doc.items():
            cs.sort(key=lambda c: c.citations[0].start)
            for a, b in zip(cs, cs[1:], strict=False):
                if not texts.get(d, "")[a.citations[0].end : b.citations[0].start].strip():
                    before[b.id], after[a.id] = a, b
        fit = frozenset(c.id for c in claims if plain(c))
        return cls(before, after, fit, "\n".join(texts.values()))

    def tellings(self, claim: Claim) -> list[tuple[str, Claim | None]]:
        """The claim's printable text, and the claim that gives what it points back to: itself as
        cleaned; or, when it opens with a pronoun, with the name of the person the sentence before
        names; or, when it points back otherwise (picking "one complaint" of the complaints the
        sentence before names, too), printed after the sentence it follows in its source, as one
        passage. Either way the sentence before is cited too."""
        base = clean(claim.text)
        prior = self.before.get(claim.id)
        one_of = prior is not None and picks_one_of(base, prior.text)
        if printable(base) and not one_of:
            return [(base, None)]
        if prior is None or not (one_of or only_points_back(base)):
            return []
        named = named_subject(base, prior.text, self.corpus)
        if named is not None and printable(named):
            return [(named, prior)]
        passage = f"{clean(prior.text)} {base}"
        return [(passage, prior)] if printable(passage) and prior.id in self.plain else []


def qualifies(claim: Claim) -> bool:
    """The sentence opens with a contrast ("But Facebook has disputed ...", "Still, it said ..."): it
    qualifies the sentence before it, which read without it says more than its source does."""
    return opens_with_contrast(claim.text)


def follow_on(line: str, claim: Claim, context: Context) -> list[Claim]:
    """The claim that may be printed right after a page line that ends with `claim` told whole: the
    next sentence of its source, when that one points back and reads on after it ("The probe follows
    news of ..." after the sentence about the probe; printed alone it would point at nothing), or
    when it qualifies the line (`qualifies`)."""
    nxt = context.after.get(claim.id)
    if nxt is None or not line.endswith(clean(claim.text)):
        return []
    text = clean(nxt.text)
    if printable(text):
        if not qualifies(nxt):
            return []
    elif not only_points_back(text):
        return []  # cut off, a label or a forged marker reads after nothing
    if not printable(f"{clean(claim.text)} {text}"):
        return []
    return [nxt]


def follows_across(line: str, claim: Claim, context: Context, tells_line: Callable[[str], bool]) -> bool:
    """Whether `claim`, which points back only by "The [role]" (`standalone.back_role`), may be printed
    right after a page line from another telling of the fact: the sentence it follows in its own
    source tells the line's fact (`tells_line`), and the line names the noun it points back with.
    "The vote was 364 to 62; all the votes in opposition came from Republicans" reads after "In a big
    bipartisan vote, House lawmakers on Tuesday passed legislation ...", whichever outlet's that line
    is; printed alone, or after its own source's sentence that the page already tells, it could not be."""
    prior = context.before.get(claim.id)
    if prior is None or claim.id not in context.plain:
        return False
    text = clean(claim.text)
    noun = back_role(text)
    if noun is None or not only_points_back(text) or not concepts(noun) <= concepts(line):
        return False
    return printable(f"{line} {text}") and tells_line(clean(prior.text))
