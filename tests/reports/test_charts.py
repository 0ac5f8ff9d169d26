"""The inline SVG charts: well-formed, labelled for screen readers, suppressed values
marked "<5", every text escaped, and colours with enough contrast."""

import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from reports.charts import (
    COLOURS,
    NO_DATA,
    SUPPRESSED_COLOUR,
    Series,
    bar_chart,
    line_chart,
    target_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _charts():
    return [
        bar_chart(
            "Open per fase",
            ["School", "Casusregisseur"],
            [Series("Open", [7, "<5"]), Series("Smal", [None, 2])],
        ),
        line_chart("Verloop", QUARTERS, [Series("Open", [3, "<5", None, 12])]),
        target_chart("Doelen", [("Eerste contact", 90, 80), ("Doelen", None, 90)]),
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_a_chart_is_an_image_with_a_title_and_a_description(index):
    svg = _charts()[index]
    assert isinstance(svg, SafeString)
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # WeasyPrint knows no CSS variables and no foreignObject.
    assert "var(" not in svg
    assert "foreignObject" not in svg


def test_every_chart_on_a_page_has_its_own_ids():
    first = _parse(bar_chart("Fase", ["a"], [Series("x", [1])]))
    second = _parse(bar_chart("Fase", ["a"], [Series("x", [1])]))
    assert first.get("id") != second.get("id")
    explicit = _parse(bar_chart("Fase", ["a"], [Series("x", [1])], id_prefix="chart-phase"))
    assert explicit.get("id") == "chart-phase"
    assert explicit.find(f"{SVG}title").get("id") == "chart-phase-title"


def test_a_suppressed_bar_is_a_hatched_stub_labelled_lt5():
    root = _parse(bar_chart("Fase", ["School", "Arbitrage"], [Series("Open", [7, "<5"])]))
    assert "<5" in _texts(root)
    assert "7" in _texts(root)
    stubs = [r for r in root.iter(f"{SVG}rect") if r.get("fill", "").endswith("-sup)")]
    assert len(stubs) == 1
    assert "Arbitrage: <5" in root.find(f"{SVG}desc").text


def test_a_missing_value_draws_no_bar():
    root = _parse(bar_chart("Fase", ["School"], [Series("Open", [None])]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "14"]
    assert bars == []
    assert NO_DATA in _texts(root)


def test_more_than_one_series_gets_a_legend_and_distinct_fills():
    svg = bar_chart("Fase", ["School"], [Series("Smal", [3]), Series("Breed", [5])])
    root = _parse(svg)
    assert {"Smal", "Breed"} <= set(_texts(root))
    bar_fills = {
        r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("height") == "14" and r.get("x")
    }
    assert len(bar_fills) == 2  # solid and a pattern: told apart without colour
    assert any(fill.startswith("url(#") for fill in bar_fills)


def test_one_series_has_no_legend():
    root = _parse(bar_chart("Fase", ["School"], [Series("Open casussen", [3])]))
    assert "Open casussen" not in _texts(root)


def test_a_unit_follows_the_value():
    root = _parse(bar_chart("Doelen", ["a"], [Series("x", [80])], unit="%"))
    assert "80%" in _texts(root)


def test_line_chart_draws_suppressed_points_open_and_labelled():
    root = _parse(line_chart("Verloop", QUARTERS, [Series("Open", [3, "<5", None, 12])]))
    assert _texts(root).count("<5") == 1
    markers = list(root.iter(f"{SVG}circle"))
    assert len(markers) == 3  # no marker for the missing quarter
    assert [m.get("fill") for m in markers].count("#ffffff") == 1
    for quarter in QUARTERS:
        assert quarter in _texts(root)
    assert "Q2 2026: <5" in root.find(f"{SVG}desc").text


def test_line_chart_series_differ_by_marker_shape_and_dash():
    root = _parse(
        line_chart(
            "Verloop", QUARTERS, [Series("Open", [1, 2, 3, 4]), Series("Smal", [0, 1, 2, 3])]
        )
    )
    assert len(list(root.iter(f"{SVG}circle"))) == 5  # four points and the legend
    assert len(list(root.iter(f"{SVG}rect"))) == 5
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{SVG}line"))


def test_target_chart_marks_the_target_and_says_nvt_without_a_measurement():
    root = _parse(
        target_chart("Doelen", [("Eerste contact", 90, 80), ("Doelen gesteld", None, 90)])
    )
    texts = _texts(root)
    assert "n.v.t." in texts
    assert "90% (doel 80%)" in texts
    assert "n.v.t. (doel 90%)" in texts
    target_lines = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "3"]
    assert len(target_lines) == 2


def test_target_chart_says_hidden_for_a_suppressed_percentage():
    root = _parse(target_chart("Doelen", [("Eerste contact", "<5", 80)]))
    assert "verborgen (doel 80%)" in _texts(root)


def test_all_text_is_escaped():
    evil = 'Zorg <&> "school" <script>alert(1)</script>'
    for svg in (
        bar_chart(evil, [evil], [Series(evil, [1]), Series("b", [2])]),
        line_chart(evil, [evil], [Series(evil, [1]), Series("b", [2])]),
        target_chart(evil, [(evil, 50, 80)]),
    ):
        assert "<script>" not in svg
        assert "<&>" not in svg
        root = _parse(svg)  # still well-formed
        assert root.find(f"{SVG}title").text == evil
        assert any("<&>" in text for text in _texts(root))


def test_empty_charts_still_render():
    for svg in (
        bar_chart("Leeg", [], [Series("Open", [])]),
        line_chart("Leeg", [], [Series("Open", [])]),
        target_chart("Leeg", []),
    ):
        assert _parse(svg).get("role") == "img"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", [*COLOURS, SUPPRESSED_COLOUR])
def test_colours_contrast_at_least_3_to_1_against_white(colour):
    assert (1.05) / (_luminance(colour) + 0.05) >= 3
