"""The page budget: one word counter and the limits every stage measures against.

The composer of each engine fills the page up to `max_words` of content; the rendered page, headings,
citations and Sources list included, never exceeds `page_cap(max_words)` (`briefer.output.page` trims
it). Everything that counts words for the budget counts them here, the same way.
"""

from __future__ import annotations

DEFAULT_WORDS = 450  # the content budget when the user gives none
HARD_CAP_WORDS = 650  # the whole rendered page, unless --max-words asks for more
MARKER_SHARE = 0.1
"""`--max-words` counts the words a reader reads, as a journal counts an abstract's words without its
reference markers: a sentence's citation marker (`[1, 2]`) takes nothing of the content budget. On the
page the markers add about a tenth to the sentences' words, which the page's own limits count
(`content_budget`, `output.page.fit_to_page`)."""


def word_count(text: str) -> int:
    """Words as a reader counts them on the page: runs of non-space characters."""
    return len(text.split())


def page_cap(max_words: int) -> int:
    """The most words the rendered page may hold for a content budget of `max_words`."""
    return max(HARD_CAP_WORDS, max_words)


PAGE_SHARE = 0.9  # the brief's content is at most this share of its sources' words...
SOURCE_LINE_WORDS = 18  # ...less what each Sources line, the headings and the footer take
FRAME_WORDS = 30
MIN_WORDS = 60  # a content budget below this holds too little to be worth printing (the CLI's minimum)


def content_budget(source_words: int, n_sources: int, max_words: int) -> int:
    """The words the content may take: `max_words`, but for short sources less, so that the whole page
    (with headings, Sources list and footer) stays shorter than what it summarises."""
    page_room = source_words * PAGE_SHARE - SOURCE_LINE_WORDS * n_sources - FRAME_WORDS
    fit = int(page_room / (1 + MARKER_SHARE))
    return max(min(max_words, MIN_WORDS), min(max_words, fit))


FRAMING_SHARE = 0.25  # "How the outlets frame it" takes at most this share of the content budget...
FRAMING_MIN_BUDGET = 200
"""...when the reader asked for at least this many words; a shorter page is spent on facts."""
HEADING_WORDS = 5  # a section heading ("How the outlets frame it") on the page


def framing_allowance(content_words: int, max_words: int) -> int:
    """The words the framing part may take out of a content budget of `content_words` (0: no room),
    for a reader who asked for `max_words`. The asked budget decides whether there is a framing part
    at all, the content budget (less for short sources) how long it may be: three short articles
    still show how their outlets frame the story."""
    return int(content_words * FRAMING_SHARE) if max_words >= FRAMING_MIN_BUDGET else 0


def framing_words(lines: list[str]) -> int:
    """What the framing part costs of the content budget: its heading and each line (outlet, label,
    quote); 0 when there is no line. The composer counts it before filling the rest."""
    if not lines:
        return 0
    return HEADING_WORDS + sum(word_count(line) for line in lines)
