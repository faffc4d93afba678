"""The openai / instructor pair (issue 14, item 7): the pinned versions are the newest pair that
installs together, and they are what the suite (cassettes included) runs against.

instructor 1.17.0 (the newest release) requires `jiter<0.15`; every openai from 3.3.1 on requires
`jiter>=0.16`. So openai 3.3.0 is the newest openai instructor allows, and the pins say so. When a
newer instructor lifts its jiter cap, this test fails on the refreshed pins until the note and the
README recipe are brought up to date with what was checked.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

PINS = Path(__file__).resolve().parents[1] / "constraints.txt"


def pinned() -> dict[str, str]:
    pins = {}
    for line in PINS.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.strip().partition("==")
        if sep and not line.startswith("#"):
            pins[name.lower().replace("_", "-")] = version
    return pins


def requirement(dist: str, name: str) -> Requirement:
    for raw in metadata.requires(dist) or []:
        req = Requirement(raw)
        if req.name.lower() == name and not req.marker:
            return req
    raise AssertionError(f"{dist} does not require {name}")


def test_the_installed_pair_is_the_pinned_pair_and_resolves() -> None:
    pins = pinned()
    for dist in ("openai", "instructor", "jiter"):
        assert metadata.version(dist) == pins[dist], dist  # the suite runs on the pins
    jiter = Version(metadata.version("jiter"))
    assert jiter in requirement("instructor", "jiter").specifier
    assert jiter in requirement("openai", "jiter").specifier
    assert Version(metadata.version("openai")) in requirement("instructor", "openai").specifier


def test_openai_is_held_only_by_instructors_jiter_cap() -> None:
    """The reason openai stays at 3.3.0: instructor's jiter cap is below what later openai needs."""
    cap = requirement("instructor", "jiter").specifier
    assert Version("0.16.0") not in cap  # openai >= 3.3.1 needs jiter >= 0.16
    assert Version(metadata.version("openai")) == Version("3.3.0")
