"""The shared CSV reading: encodings, separators, rows, dates and the formula guard."""

import ast
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from thuiszitters import csvfiles
from thuiszitters.csvfiles import (
    csv_delimiter,
    csv_read,
    date_parse,
    file_decode,
    spreadsheet_safe,
    spreadsheet_unescape,
)

D = datetime.date


def _decode(raw: bytes, max_bytes: int = 100) -> str:
    return file_decode(raw, max_bytes=max_bytes, too_large="Te groot.")


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "naam;café\n".encode(),
        "\ufeffnaam;café\n".encode(),  # Excel's "CSV UTF-8" starts with a BOM
        "naam;café\n".encode("cp1252"),  # Excel's plain "CSV" on Windows
    ],
)
def test_utf8_with_or_without_bom_and_windows_1252(raw):
    assert _decode(raw) == "naam;café\n"


def test_windows_1252_characters_outside_latin_1():
    # The euro sign and curly quotes are where cp1252 and Latin-1 differ.
    text = "€ \u201cx\u201d \u2013 ë"
    assert _decode(text.encode("cp1252")) == text


@pytest.mark.parametrize("raw", [b"", b"  \r\n\t", b"\xef\xbb\xbf\r\n"])
def test_a_file_without_text_is_empty(raw):
    with pytest.raises(ValidationError) as exc_info:
        _decode(raw)
    assert exc_info.value.messages == ["Het bestand is leeg."]


def test_a_file_above_the_limit_gets_the_callers_message():
    assert _decode(b"x" * 100) == "x" * 100
    with pytest.raises(ValidationError) as exc_info:
        _decode(b"x" * 101)
    assert exc_info.value.messages == ["Te groot."]


# --- separators and rows --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("a;b;c\n1;2;3\n", ";"),
        ("a,b,c\n1,2,3\n", ","),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("\ufeffa,b\n", ","),
        ("naam;eerste dag, laatste dag;x\n", ";"),  # more ; than , in the header
        ("a;b,c\n", ";"),  # a tie: Dutch Excel's ;
        ("alleen\n", ";"),
        ("", ";"),
        ("a;b\n1,2,3,4,5\n", ";"),  # only the first line counts
    ],
)
def test_the_separator_is_the_one_the_header_holds_most(text, separator):
    assert csv_delimiter(text) == separator


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_rows_are_read_with_the_header_and_their_numbers(separator):
    text = separator.join(["naam", "datum"]) + "\r\n"
    text += separator.join(["Sanne", "12-03-2014"]) + "\r\n"
    text += "\r\n"  # an empty line is skipped, but still counts as a row
    text += separator.join([" ", " "]) + "\r\n"  # so is a row of blanks
    text += separator.join(['"de Vries,\r\nSanne"', "2014-03-12"]) + "\r\n"
    header, records = csv_read("\ufeff" + text)
    assert header == ["naam", "datum"]
    assert [(r.number, r.line, r.cells) for r in records] == [
        (2, 2, ["Sanne", "12-03-2014"]),
        # The quoted cell spans two lines: row 5 of a spreadsheet ends on line 6 of the file.
        (5, 6, ["de Vries,\r\nSanne", "2014-03-12"]),
    ]


def test_a_file_that_is_only_a_bom_is_empty():
    with pytest.raises(ValidationError) as exc_info:
        csv_read("\ufeff")
    assert exc_info.value.messages == ["Het bestand is leeg."]


def test_an_unreadable_row_refuses_the_file():
    # A cell beyond the csv module's field size limit (128 KiB).
    header, records = csv_read("naam;datum\nSanne;1-1-2014\n" + "x" * 200_000 + ";1\n")
    assert header == ["naam", "datum"]
    with pytest.raises(ValidationError) as exc_info:
        list(records)
    assert exc_info.value.messages == ["Het bestand is geen leesbaar CSV-bestand."]


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "12-03-2014",
        "12/03/2014",
        "12.03.2014",
        "12-3-2014",
        "12/3.2014",  # mixed separators (the reconciliation has always read them)
        " 12-03-2014 ",
        "2014-03-12",
        "2014-3-12",
        "2014-03-12 00:00",  # a date that a spreadsheet wrote as a date and time
        "2014-03-12 00:00:00",
        "2014-03-12T00:00:00",
    ],
)
def test_dutch_and_iso_dates(value):
    assert date_parse(value) == D(2014, 3, 12)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "31-02-2014",  # no such day
        "2014-13-01",
        "12-03-14",  # a two-digit year is ambiguous
        "2014/03/12",
        "12 maart 2014",
        "2014-03-12 13:45",  # a time of day is not a date
        "20140312",
        "12-03-2014x",
    ],
)
def test_anything_else_is_no_date(value):
    with pytest.raises(ValueError):
        date_parse(value)


# --- the formula guard ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+31612345678", "'+31612345678"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12", "-12"),  # a negative number stays a number
        ("-12,5", "-12,5"),
        ("-3.25", "-3.25"),
        ("de Vries", "de Vries"),
        ("", ""),
        ("'=al beschermd", "'=al beschermd"),
    ],
)
def test_cells_that_look_like_formulas_are_guarded(value, safe):
    assert spreadsheet_safe(value) == safe


@pytest.mark.parametrize("value", ["=SUM(A1:A2)", "+316", "-2+3", "@cmd", "-12", "de Vries", ""])
def test_a_guarded_cell_reads_back_as_it_was(value):
    assert spreadsheet_unescape(spreadsheet_safe(value)) == value


def test_an_apostrophe_before_ordinary_text_stays():
    assert spreadsheet_unescape("'t Hart") == "'t Hart"
    assert spreadsheet_unescape("'") == "'"


# --- the layer ------------------------------------------------------------------------------


def test_the_core_module_imports_no_app_above_it():
    tree = ast.parse(Path(csvfiles.__file__).read_text())
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not imported & {"registration", "cases", "escalation", "reports"}
