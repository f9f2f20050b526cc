"""Logging for the CLI and the API: key-value events on stderr that never carry secrets or
personal data.

structlog's default console renderer prints an exception with every frame's local
variables (rich's ``show_locals``): a request's ``Authorization`` header and the ID
numbers it read ended up in the server log. Here exceptions are rendered as a plain
traceback, and every event (message, fields, traceback) is passed through ``redact``:
API keys and bearer tokens replaced, ID numbers (18 and 15 digits) masked.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog

from graph_model.identity.free_text import mask_id_numbers

__all__ = ["configure_logging", "redact"]

_SECRET = re.compile(r"(?i)\b(bearer\s+)\S+|\bsnk_[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    """``text`` with API keys and bearer tokens removed and ID numbers masked."""
    text = _SECRET.sub(lambda m: (m.group(1) or "") + "[redacted]", text)
    return mask_id_numbers(text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_clean(v) for v in value]
    return value


def _redact_event(_logger, _method, event: dict) -> dict:
    return {key: _clean(value) for key, value in event.items()}


class _RedactingFilter(logging.Filter):
    """The same for the standard library's records (uvicorn's error log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging() -> None:
    """Configure structlog and the uvicorn loggers (idempotent; each worker calls it)."""
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso"),
                    structlog.processors.format_exc_info, _redact_event,
                    structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),  # stdout carries answers (`check --json`)
        cache_logger_on_first_use=False,
    )
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())
