"""The class report's histogram never makes matplotlib warn about missing Chinese glyphs (a warning on
stderr in the middle of ``course grade``'s output, and boxes in the picture): without a CJK font its
labels are English only."""

import warnings

import pytest

from course.messages import HISTOGRAM_X
from course.results import reports

SCORES = {"s1": {"forward_propagation": (1.0, 1.0)}, "s2": {"forward_propagation": (0.0, 1.0)}}


def test_instructor_histogram_without_a_cjk_font_is_english_and_silent(tmp_path, monkeypatch):
    monkeypatch.setattr(reports, "cjk_font", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reports.score_histogram(SCORES, tmp_path / "histogram.png")
    assert (tmp_path / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("chinese", [True, False])
def test_instructor_histogram_labels_follow_the_fonts(chinese):
    label = reports.figure_label(HISTOGRAM_X, chinese)
    assert label.startswith(HISTOGRAM_X.en) and (HISTOGRAM_X.zh in label) == chinese


def test_instructor_cjk_font_is_one_matplotlib_knows():
    from matplotlib import font_manager

    font = reports.cjk_font()
    assert font is None or font in {entry.name for entry in font_manager.fontManager.ttflist}
