"""Progress bars of the CLI: the library only calls a ``progress(done, total)`` callback.

Drawing belongs to the command line (the library may run in a notebook, a server or a test);
the pipeline functions take the callback built here and pass it down to the spaCy stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Below this many distinct answers a bar is not worth drawing (parsing takes seconds).
PROGRESS_MIN = 2000

ProgressFn = Callable[[int, int], None]


class _Bar:
    """A rich bar on stderr, started on the first call whose total is worth a bar.

    A project run parses several questions one after the other: the bar closes when a parse
    reaches its total and a new one starts with the next ``progress(0, total)``.
    """

    def __init__(self, min_total: int, label: str = "parsing") -> None:
        self.min_total = min_total
        self.label = label
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < max(self.min_total, 1):
            return
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._progress = Progress(
                self.label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._task = self._progress.add_task("parse", total=total)
            self._progress.start()
        self._progress.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Remove the bar from the terminal (it is transient) if one is drawn."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def progress_bar(enabled: bool = True, *, min_total: int = 1,
                 label: str = "parsing") -> Iterator[ProgressFn | None]:  # fmt: skip
    """Yield a progress callback drawing a bar on stderr, or ``None`` when not ``enabled``.

    Parameters
    ----------
    enabled : bool
        ``False`` yields ``None``: the library then reports progress in its log only.
    min_total : int
        Runs with fewer items than this draw no bar (e.g. :data:`PROGRESS_MIN`).
    label : str
        What the bar counts, written before it (``parsing``, ``embedding``).
    """
    if not enabled:
        yield None
        return
    bar = _Bar(min_total, label)
    try:
        yield bar
    finally:
        bar.close()  # an error or Ctrl-C must not leave a half-drawn bar behind
