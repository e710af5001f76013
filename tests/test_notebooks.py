"""The tutorial notebooks run top to bottom against the bundled corpus (nbclient, kernel ``python3``).

They are generated and executed by ``notebooks/_build.py`` and stored with their outputs (so they read
on a code host); the test also checks that the stored cells are what the generator writes (so nobody
edits an .ipynb by hand and loses it) and that they were stored executed, without errors.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01_quickstart.ipynb", "02_themes.ipynb", "03_themes_and_scores.ipynb", "04_good_examples.ipynb"]

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e .[test])")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e .[test])")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e .[test])")


@pytest.fixture(scope="module", autouse=True)
def kernel_env():
    """Run the kernel with this interpreter's environment, headless matplotlib."""
    old = {k: os.environ.get(k) for k in ("MPLBACKEND", "PYTHONPATH")}
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([old["PYTHONPATH"]] if old["PYTHONPATH"] else []))
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _kernel_manager():
    """A kernel manager that starts ``sys.executable -m ipykernel`` (the venv's Python) as ``python3``."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.kernel_spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    return km


def test_notebooks_are_generated():
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import _build
    finally:
        sys.path.remove(str(NOTEBOOKS))
    assert sorted(_build.NOTEBOOKS) == NAMES
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.get("execution_count") for c in code), f"{name} is stored unexecuted: run notebooks/_build.py"
        assert not [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"], name
        assert [c.source for c in nb.cells] == [src for _, src in _build.NOTEBOOKS[name]], \
            f"{name} differs from notebooks/_build.py: run `python notebooks/_build.py`"


def _run(name: str, cwd: Path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=False,
                                     km=_kernel_manager(), resources={"metadata": {"path": str(cwd)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name):
    nb = _run(name, NOTEBOOKS)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(o.get("output_type") in ("execute_result", "display_data") for o in outputs), f"{name} showed nothing"


def test_quickstart_runs_from_repo_root():
    _run("01_quickstart.ipynb", ROOT)
