"""The machine a benchmark ran on: CPU, cores, memory, disk, OS and package versions."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "duckdb",
    "dbt-core",
    "dbt-duckdb",
    "dagster",
    "dagster-dbt",
    "great_expectations",
    "pandas",
    "pyarrow",
)


def _first(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        return None
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def _disk(path: Path) -> str:
    """Size, free space and file system of the disk that holds `path`."""
    path = path.resolve()
    while not path.exists():
        path = path.parent
    stat = os.statvfs(path)
    total = stat.f_blocks * stat.f_frsize / 1e9
    free = stat.f_bavail * stat.f_frsize / 1e9
    fstype, mount = "unknown", ""
    try:
        for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) >= len(mount):
                mount, fstype = parts[1], parts[2]
    except OSError:
        pass
    return f"{total:.0f} GB ({free:.0f} GB free), {fstype} at {mount or '/'}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe(work_dir: Path) -> list[tuple[str, str]]:
    """The machine as (label, value) pairs, in the order BENCHMARKS.md shows them."""
    memory_kb = _first("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kb.split()[0]) / 1024**2:.1f} GB" if memory_kb else "unknown"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return [
        ("CPU", _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown"),
        ("Cores", f"{os.cpu_count()} ({usable} usable by this process)"),
        ("RAM", memory),
        ("Disk", _disk(work_dir)),
        ("OS", f"{_os_name()} ({platform.release()})"),
        ("Python", platform.python_version()),
        *((package, _version(package)) for package in PACKAGES),
        ("Load average at start", " ".join(f"{x:.2f}" for x in load) if load else "unknown"),
    ]
