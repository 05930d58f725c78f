"""Progress bars for long runs: shown only for runs over a second, and by default only in an
interactive session (a notebook, or a terminal). Uses tqdm when it is installed."""

from __future__ import annotations

import sys
from typing import Any, Optional

#: A run shows a bar only once it has gone on this long (seconds).
QUIET_SECONDS = 1.0


def interactive() -> bool:
    """Whether a bar would be seen: in a Jupyter kernel, or with stderr on a terminal."""
    if "ipykernel" in sys.modules:
        try:
            from IPython import get_ipython

            if get_ipython() is not None:
                return True
        except ImportError:  # pragma: no cover
            pass
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


class _Bar:
    """A tqdm bar that can be moved to an absolute count."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar

    def update_to(self, done: int) -> None:
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)
        else:
            self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


def bar(wanted: Optional[bool], total: Optional[int], what: str) -> Optional[_Bar]:
    """Called by journeycost once a run has taken more than a second: a bar, or ``None``.

    ``wanted`` is the caller's ``progress=`` argument: ``None`` means "when interactive".
    """
    if wanted is False or (wanted is None and not interactive()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return _Bar(tqdm(total=total, desc=f"journeycost: {what}", leave=False))
