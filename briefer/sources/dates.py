"""Dates in bylines, datelines, front matter and page metadata: the earliest date expression in a
text (`March 3, 2024, 10:05 IST`, `3rd Mar 2024`, `2024-03-03T10:05Z`) and the datetime it names."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

# fmt: off
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
# 19:30, 10.02, 7:05 p.m., then an optional zone: IST, GMT, +05:30 (upper case only, so never "at")
_TIME = (r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?"
         r"(?:\s*(?P<tz>(?-i:[A-Z]{2,5})\b|[+-]\d{2}:?\d{2}))?")
_DATES = [rf"{_WEEKDAY}{_MON}\s+{_DAY},?\s+(?P<y>\d{{4}})", rf"{_WEEKDAY}{_DAY}\s+{_MON},?\s+(?P<y>\d{{4}})"]
_ISO = r"(?P<iso>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)"
_DATE_RES = [
    *(re.compile(rf"\b{d}(?:\s*,?\s*(?:at\s+|-\s+)?{_TIME})?", re.I) for d in _DATES),  # date[, time]
    *(re.compile(rf"\b{_TIME}\s*,?\s*(?:on\s+)?{d}", re.I) for d in _DATES),  # time, date
    re.compile(rf"\b{_ISO}\b"),
]
# Offsets in minutes of the zone abbreviations news sites commonly print; any other zone gives a naive time.
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "IST": 330, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
          "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "CET": 60, "CEST": 120, "BST": 60, "JST": 540,
          "KST": 540, "AEST": 600, "AEDT": 660}
# fmt: on


def find_date(text: str) -> re.Match[str] | None:
    """The earliest (then longest) date expression in `text`."""
    found = [m for r in _DATE_RES if (m := r.search(text))]
    return min(found, key=lambda m: (m.start(), -m.end()), default=None)


def to_datetime(match: re.Match[str]) -> datetime | None:
    """A datetime for a `find_date` match: aware when the zone is known, naive otherwise."""
    g = match.groupdict()
    try:
        if g.get("iso"):
            return datetime.fromisoformat(g["iso"])
        hour = int(g["H"] or 0)
        if g["ampm"]:  # 12 am is midnight, 12 pm is noon
            hour = hour % 12 + (12 if g["ampm"].lower().startswith("p") else 0)
        tz = _zone(g["tz"])
        return datetime(
            int(g["y"]),
            _MONTHS[g["mon"][:3].lower()],
            int(g["d"]),
            hour,
            int(g["M"] or 0),
            int(g["S"] or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None


def _zone(name: str | None) -> timezone | None:
    if not name:
        return None
    if name[0] in "+-":
        sign = -1 if name[0] == "-" else 1
        digits = name[1:].replace(":", "")
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    minutes = _ZONES.get(name.upper())
    return None if minutes is None else timezone(timedelta(minutes=minutes))
