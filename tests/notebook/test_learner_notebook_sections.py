"""The sections of issue 5 run cleanly in a real kernel and show what the text says (issue 5)."""

import pytest
from support.course import cell_errors, execute_notebook, source_notebook_path, stderr_outputs

#: Cells of issue 5 that draw a plot, and how many images each shows.
PLOT_CELLS = {"blocks-setup": 1, "blocks-fixed": 1, "epsilon-sweep": 1, "epsilon-float32": 1, "cost-timing": 1}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    return execute_notebook(source_notebook_path())


def outputs_of(notebook, cell_id):
    cell = next(c for c in notebook.cells if c.get("id") == cell_id)
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    images = sum("image/png" in o.get("data", {}) for o in cell.outputs)
    return text, images


def test_learner_notebook_runs_without_errors_or_stderr(executed):
    assert cell_errors(executed) == []
    assert stderr_outputs(executed) == []


def test_learner_sees_the_plots(executed):
    assert {cell_id: outputs_of(executed, cell_id)[1] for cell_id in PLOT_CELLS} == PLOT_CELLS


def test_learner_sees_dW2_and_db1_stand_out_then_all_blocks_pass(executed):
    before, _ = outputs_of(executed, "blocks-setup")
    flagged = [line.split()[1] for line in before.splitlines() if line.startswith("\u2718")]
    assert flagged == ["b1", "W2"]
    after, _ = outputs_of(executed, "blocks-fixed")
    assert not any(line.startswith("\u2718") for line in after.splitlines())
    assert sum(line.startswith("\u2714") for line in after.splitlines()) == 6
    assert "works perfectly fine" in after
