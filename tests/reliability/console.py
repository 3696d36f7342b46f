"""The console of `xla` as the reliability tests read it."""

from __future__ import annotations

import re

CLOCK = re.compile(r"^\d\d:\d\d:\d\d ")


def console_lines(text: str) -> list[str]:
    """The console's lines without their time stamps and indentation."""
    return [CLOCK.sub("", line).strip() for line in text.splitlines()]
