"""Which addresses the product's servers listen on, read from /proc/net/tcp and tcp6."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# 127.0.0.1, ::1 and ::ffff:127.0.0.1, as /proc/net/tcp and tcp6 write them.
LOOPBACK = {"0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}


@dataclass(frozen=True)
class Listener:
    address: str  # hex, as /proc/net writes it
    port: int
    inode: str


def listeners() -> Iterator[Listener]:
    """Every TCP socket of the machine in the LISTEN state."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A":  # 0A: LISTEN
                yield Listener(address, int(hex_port, 16), fields[9])


def on_port(port: int) -> set[str]:
    """The local addresses listening on `port`."""
    return {listener.address for listener in listeners() if listener.port == port}


def of_processes(pids: set[int]) -> set[str]:
    """The local addresses the processes `pids` listen on."""
    inodes: set[str] = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return {listener.address for listener in listeners() if listener.inode in inodes}
