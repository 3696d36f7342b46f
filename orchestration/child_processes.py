"""Child processes that die with the run that started them.

dbt runs as a child process of `xla run`. Killed outright (SIGKILL, the OOM killer), a
run ends without a chance to stop its children, and an orphaned dbt would go on
writing the build file for minutes: the next run, finding the file held, would fail.
`bound_to_this_process` gives a program a launcher that asks Linux to send the child
SIGKILL when its parent dies (`PR_SET_PDEATHSIG`, kept across `exec`), then execs the
program. Elsewhere the launcher only execs it.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path

LAUNCHER = """#!{python}
# Runs {program} so that it is killed when the process that started it dies.
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
try:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
except (AttributeError, OSError):
    pass  # not Linux: the program runs unbound
os.execv({program!r}, [{program!r}, *sys.argv[1:]])
"""


def _private_dir() -> Path:
    """A folder only this user can write, for the launchers."""
    folder = Path(tempfile.gettempdir()) / f"xla-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if info.st_uid != os.getuid() or stat.S_ISLNK(info.st_mode) or info.st_mode & 0o022:
        raise PermissionError(f"{folder} is not this user's own private folder")
    return folder


def bound_to_this_process(program: str) -> str:
    """A launcher of `program` that dies with its parent; `program` itself if none can be
    written."""
    text = LAUNCHER.format(python=sys.executable, program=program)
    try:
        folder = _private_dir()
    except OSError:
        return program
    launcher = folder / f"bound-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    if not launcher.exists() or launcher.read_text() != text:
        tmp = folder / f".{launcher.name}.{os.getpid()}.tmp"
        tmp.write_text(text)
        tmp.chmod(0o700)
        os.replace(tmp, launcher)
    return str(launcher)
