"""The environment of a `python -m bot` process that the tests or the benchmarks start.

A child gets PATH, the settings it is given, and nothing else of the caller's environment (no
token or database URL leaks in from the shell that runs the tests), except what measures it and
what sets its clock:

- coverage's COVERAGE_* variables, so that `pytest --cov` measures the child too;
- TZ, so that the child's local time is the caller's;
- libfaketime's LD_PRELOAD and its settings (FAKETIME, FAKETIME_DONT_RESET, FAKETIME_SHARED,
  FAKETIME_DONT_FAKE_MONOTONIC, ...), so that a suite run on another day under `faketime` runs
  its children on that day too. A child that lost them would read the real clock while the
  test that started it reads the fake one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Kept by name: the dynamic loader's preload (Linux) and its macOS equivalents, the process's
# timezone, and libfaketime's settings whose names do not start with FAKETIME.
KEPT = frozenset(
    {
        "PATH",
        "TZ",
        "LD_PRELOAD",
        "DYLD_INSERT_LIBRARIES",
        "DYLD_FORCE_FLAT_NAMESPACE",
        "DONT_FAKE_MONOTONIC",
        "NO_FAKE_STAT",
        "FAKERANDOM_SEED",
    }
)
# Kept by prefix: coverage's, and libfaketime's (FAKETIME itself and every FAKETIME_*).
KEPT_PREFIXES = ("COVERAGE_", "FAKETIME")


def kept(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of `environ` that a child process keeps."""
    return {k: v for k, v in environ.items() if k in KEPT or k.startswith(KEPT_PREFIXES)}


def process_env(**settings: str) -> dict[str, str]:
    """The whole environment of a child process: what it keeps of this process's environment
    (see the module's description) and these settings, which win."""
    return {**kept(os.environ), **settings}
