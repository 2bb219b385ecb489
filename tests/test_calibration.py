"""Calibration numbers on inputs small enough to compute by hand."""

import pytest
from matplotlib.figure import Figure

from microllm.calibration import (
    calibration_summary,
    error_detection_auroc,
    expected_calibration_error,
    plot_reliability,
    reliability_table,
    threshold_for_precision,
)


def test_ece_by_hand():
    # Bin 0.9: accuracy 1/2 vs confidence 0.9 (gap 0.4); bin 0.1: accuracy 0 vs 0.1 (gap 0.1); each half the rows.
    conf, correct = [0.9, 0.9, 0.1, 0.1], [True, False, False, False]
    assert expected_calibration_error(conf, correct) == pytest.approx(0.5 * 0.4 + 0.5 * 0.1)
    assert expected_calibration_error([1.0, 1.0, 1.0], [True, True, True]) == 0.0  # 1.0 lands in the last bin
    assert expected_calibration_error([0.0, 0.0], [False, False]) == 0.0


def test_reliability_table():
    table = reliability_table([0.05, 0.15, 0.95, 1.0], [False, True, True, True], n_bins=10)
    assert len(table) == 10 and table["n"].tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert table.loc[9, "accuracy"] == 1.0 and table.loc[9, "confidence"] == pytest.approx(0.975)
    assert table["accuracy"].isna().sum() == 7  # empty bins are NaN, not 0


def test_auroc_by_hand():
    # Wrong answers have the lower confidences: (1 - confidence) ranks every wrong above every right one.
    assert error_detection_auroc([0.9, 0.8, 0.3, 0.6], [True, True, False, False]) == 1.0
    # Right at 0.9, 0.6; wrong at 0.7, 0.2: of the 4 (wrong, right) pairs, 3 have the wrong one less confident.
    assert error_detection_auroc([0.9, 0.6, 0.7, 0.2], [True, True, False, False]) == pytest.approx(0.75)
    assert error_detection_auroc([0.9, 0.5], [True, True]) is None  # one class only: undefined


def test_threshold_for_precision_by_hand():
    conf, correct = [0.95, 0.9, 0.8, 0.7, 0.6], [True, True, True, False, True]
    # t=0.6 accepts 4/5 right, t=0.7 3/4, t=0.8 3/3: the lowest reaching 99% is 0.8, covering 3 of 5.
    got = threshold_for_precision(conf, correct, target=0.99)
    assert got["threshold"] == 0.8 and got["precision"] == 1.0 and got["coverage"] == 0.6 and got["n_accepted"] == 3
    assert threshold_for_precision(conf, correct, target=0.75)["threshold"] == 0.6
    nothing = threshold_for_precision([0.9, 0.8], [False, False])
    assert nothing["threshold"] is None and nothing["coverage"] == 0.0


def test_missing_confidences_are_explicit():
    conf, correct = [0.9, None, 0.8, None], [True, False, True, True]
    summary = calibration_summary(conf, correct)
    assert summary["n"] == 4 and summary["n_missing"] == 2
    assert summary["error_auroc"] is None  # both answers that have a confidence are right
    assert summary["accept"]["threshold"] == 0.8 and summary["accept"]["coverage"] == 0.5  # missing never accepted
    empty = calibration_summary([None, None], [True, False])
    assert empty["ece"] is None and empty["accept"]["threshold"] is None


def test_bad_inputs():
    with pytest.raises(ValueError, match="confidences but"):
        expected_calibration_error([0.5], [True, False])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        expected_calibration_error([1.5], [True])


def test_plot_is_a_figure():
    fig = plot_reliability([0.9, 0.6, 0.7, None], [True, True, False, False], n_bins=5, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2 and fig.axes[0].get_title() == "t"
