"""What a batch's outputs may not overwrite, checked before anything runs.

An output path that is the config, the manifest (or its lock), another output or history file (however
spelled: relative, absolute, through a symlink or `..`), a source file, or inside any topic's sources
would destroy an input or, on the next run, be read back as a source, so the brief would cite itself
and its facts would gain false corroboration. Each is a config problem (exit 2), one per line.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path

from briefer.runs.batchconfig import BatchConfig

_GLOB_CHARS = ("*", "?", "[")


def _real(base: Path, path: str) -> Path:
    """`path` relative to `base`, `~` expanded and every symlink and `..` resolved."""
    return (base / os.path.expanduser(path)).resolve()


def _sources(config: BatchConfig, base: Path) -> list[tuple[str, Path | str]]:
    """Each topic's sources: a resolved path, or for a glob the resolved pattern (what it may match)."""
    found: list[tuple[str, Path | str]] = []
    for topic in config.topic:
        for source in topic.sources:
            expanded = os.path.expanduser(source)
            if any(c in expanded for c in _GLOB_CHARS):
                found.append((topic.name, str(base.resolve() / expanded)))
                for match in glob.glob(expanded, root_dir=base, recursive=True):
                    found.append((topic.name, _real(base, match)))
            else:
                found.append((topic.name, _real(base, expanded)))
    return found


def output_problems(config: BatchConfig, config_path: Path, manifest: Path, history: str) -> list[str]:
    """Every output that would overwrite something it must not, as `topic 'x': output y: why`.
    `history` is the suffix of a topic's history file (next to its first output)."""
    base = config_path.parent
    taken: dict[Path, str] = {
        config_path.resolve(): "the batch config",
        manifest.resolve(): "the manifest",
        manifest.resolve().with_name(manifest.name + ".lock"): "the manifest's lock file",
    }
    sources = _sources(config, base)
    problems: list[str] = []
    planned: list[tuple[str, str, Path]] = []
    for topic in config.topic:
        outputs = [(o.path, _real(base, o.path)) for o in topic.outputs]
        planned.extend((topic.name, given, real) for given, real in outputs)
        first_given, first = outputs[0]
        planned.append((topic.name, first_given + history, first.with_name(first.name + history)))
    for name, given, real in planned:
        what = f"topic {name!r}: output {given}"
        if real in taken:
            problems.append(f"{what}: would overwrite {taken[real]}")
            continue
        for owner, source in sources:
            if isinstance(source, str):
                inside = fnmatch.fnmatch(str(real), source)
            else:
                inside = real == source or source in real.parents
            if inside:
                problems.append(
                    f"{what}: is inside the sources of topic {owner!r} ({source}); it would be read back as a source"
                )
                break
        else:
            taken[real] = what
    return problems
