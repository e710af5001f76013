"""When to show progress bars (tqdm): on a terminal, not under CI, not when turned off.

``KOMPASSTEXT_PROGRESS=0`` turns every bar off (``kompasstext --quiet`` sets it), ``=1`` turns them on
even without a terminal; unset, bars show only when stderr is a terminal and ``CI`` is not set.

>>> import os
>>> os.environ["KOMPASSTEXT_PROGRESS"] = "0"; enabled()
False
>>> os.environ["KOMPASSTEXT_PROGRESS"] = "1"; enabled()
True
>>> del os.environ["KOMPASSTEXT_PROGRESS"]
"""
from __future__ import annotations

import os
import sys
from typing import Any

#: the environment variable that turns bars off (``0``) or on (``1``)
ENV = "KOMPASSTEXT_PROGRESS"


def enabled() -> bool:
    """Whether a bar should be drawn now (see the module doc)."""
    flag = os.environ.get(ENV, "").strip().lower()
    if flag in ("0", "false", "no", "off"):
        return False
    if flag in ("1", "true", "yes", "on"):
        return True
    if os.environ.get("CI"):
        return False
    return bool(sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty())


def tqdm_class() -> type:
    """``tqdm.auto.tqdm`` where Jupyter widgets are installed, else the plain ``tqdm`` (importing
    ``tqdm.auto`` in a notebook without ``ipywidgets`` prints a ``TqdmWarning`` with a source line)."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm


def quiet_tqdm_auto() -> None:
    """Import ``tqdm.auto`` once with its ``TqdmWarning`` (no ``ipywidgets`` in a notebook) silenced: the
    model libraries (huggingface_hub, sentence-transformers) import it, and the warning would print a
    source line into the notebook.  Later imports come from ``sys.modules`` and stay quiet."""
    if "tqdm.auto" in sys.modules:
        return
    import warnings

    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        import tqdm.auto  # noqa: F401


def bar(total: int, desc: str, *, show: bool | None = None, unit: str = "it", **kwargs: Any):
    """A tqdm bar on stderr (:func:`tqdm_class`); ``show=None`` means :func:`enabled`."""
    return tqdm_class()(total=total, desc=desc, unit=unit, disable=not (enabled() if show is None else show),
                        file=sys.stderr, **kwargs)
