"""Log lines on stderr: `briefer: message` for people, or one JSON object per line for log collectors.

The CLI installs these (library code never installs handlers). Inside a batch, `ContextFilter` tags
each record with the topic being briefed, read from `briefer.runs.context`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from briefer.core.terminal import one_line
from briefer.runs.context import TOPIC


class ContextFilter(logging.Filter):
    """Adds the batch topic of the current context to each record (never filters anything out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        topic = TOPIC.get()
        if topic is not None:
            record.topic = topic
        return True


class TextFormatter(logging.Formatter):
    """`briefer: message`, or `briefer: [topic] message` inside a batch."""

    def __init__(self) -> None:
        super().__init__("briefer: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = one_line(super().format(record))  # a topic or message cannot forge another line
        topic = getattr(record, "topic", None)
        return text.replace("briefer: ", f"briefer: [{one_line(str(topic))}] ", 1) if topic else text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, message, topic, and any `extra={"data":
    {...}}` fields, so a collector can filter on outcome, calls or cost without parsing prose."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "message": one_line(record.getMessage()),
        }
        if getattr(record, "topic", None):
            entry["topic"] = one_line(str(record.topic))  # type: ignore[attr-defined]
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            entry.update({k: v for k, v in data.items() if k not in entry})
        if record.exc_info and record.levelno >= logging.ERROR:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def error_line(message: str, log_format: str) -> str:
    """A fatal error as the chosen format spells it (the CLI prints it after logging is set up)."""
    if log_format == "json":
        return JsonFormatter().format(
            logging.LogRecord("briefer", logging.ERROR, __file__, 0, message, None, None)
        )
    return f"briefer: {one_line(message)}"
