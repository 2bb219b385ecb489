"""Execute the numbered notebooks with nbclient, overriding their parameter cell (papermill-style)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

PARAMS_TAG = "parameters"


def inject_parameters(nb: nbformat.NotebookNode, params: dict[str, str]) -> None:
    """Add a cell after the one tagged ``parameters`` that assigns the given Python expressions."""
    if not params:
        return
    index = next((i for i, c in enumerate(nb.cells) if PARAMS_TAG in c.get("metadata", {}).get("tags", [])), None)
    if index is None:
        raise ValueError("notebook has no cell tagged 'parameters' to override")
    source = "# Injected parameters\n" + "\n".join(f"{k} = {v}" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)


def strip_volatile(nb: nbformat.NotebookNode) -> None:
    """Drop what changes on every run without changing the result (ids of runs, timings)."""
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("papermill", None)
    nb.metadata.get("widgets", {}).clear()


def execute_notebook(
    path: str | Path,
    params: dict[str, str] | None = None,
    output_path: str | Path | None = None,
    timeout: int = 1800,
    kernel_name: str = "python3",
) -> nbformat.NotebookNode:
    """Run every cell of ``path`` in its own folder; save to ``output_path`` (in place by default).

    ``params`` maps parameter names to Python expressions, e.g. ``{"SMOKE": "True"}``.
    A failing cell raises nbclient's CellExecutionError, naming the cell and its traceback.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, params or {})
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    strip_volatile(nb)
    nbformat.write(nb, Path(output_path) if output_path else path)
    return nb
