"""A practice export opened in a real spreadsheet never runs a formula from our data.

Titles and summaries that start with =, +, - or @ go through /practices/export.csv,
then LibreOffice Calc (headless) imports the CSV as a person opening it would
(UTF-8, comma-separated, formulas evaluated) and saves it as .xlsx; the cells are
read back from the workbook's XML. A control converts the same rows with the
protection removed, to show that this pipeline does see formulas when there are some.
"""

import csv
import io
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest

from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    ('=HYPERLINK("http://evil.example/","Click me")', '=HYPERLINK("http://evil")'),
    ("+1+2", "+cmd|' /C calc'!A0"),
    ("-3+4", "-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "@SUM(1+1)*cmd|' /C calc'!A0"),
]
# Field separator 44 (comma), text delimiter 34 ("), character set 76 (UTF-8),
# from line 1; formulas are evaluated, as when a person opens the file.
CSV_IMPORT = "CSV:44,34,76,1"
XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def soffice():
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.fail(
            "LibreOffice is missing: run scripts/ensure-test-tools.sh "
            "(apt-get install libreoffice-calc-nogui)."
        )
    return path


def convert_to_xlsx(tmp_path, csv_files):
    """Convert CSV files with LibreOffice Calc in one run; returns the .xlsx paths."""
    out = tmp_path / "out"
    # A private profile, so that concurrent runs do not wait on each other's lock.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            f"--infilter={CSV_IMPORT}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, csv_files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return [out / (path.stem + ".xlsx") for path in csv_files]


def read_cells(xlsx_path):
    """{(row, column letters): {"type", "text", "formula"}} for the first sheet."""
    with zipfile.ZipFile(xlsx_path) as workbook:
        shared = []
        if "xl/sharedStrings.xml" in workbook.namelist():
            root = ElementTree.fromstring(workbook.read("xl/sharedStrings.xml"))
            for item in root.iter(f"{XLSX}si"):
                shared.append("".join(t.text or "" for t in item.iter(f"{XLSX}t")))
        sheet = ElementTree.fromstring(workbook.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for cell in sheet.iter(f"{XLSX}c"):
        ref = cell.get("r")
        column = ref.rstrip("0123456789")
        row = int(ref[len(column) :])
        kind = cell.get("t", "n")
        formula = cell.find(f"{XLSX}f")
        value = cell.find(f"{XLSX}v")
        if kind == "s":
            text = shared[int(value.text)]
        elif kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(f"{XLSX}t"))
        else:
            text = value.text if value is not None else None
        cells[row, column] = {
            "type": kind,
            "text": text,
            "formula": formula.text if formula is not None else None,
        }
    return cells


def columns_by_header(cells):
    return {cell["text"]: column for (row, column), cell in cells.items() if row == 1}


@pytest.fixture
def exported_csv(client):
    for n, (title, summary) in enumerate(HOSTILE):
        PracticeFactory(
            published=True, slug=f"hostile-{n}", title=title, summary=summary
        )
    response = client.get("/practices/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_spreadsheet_reads_formula_like_titles_and_summaries_as_text(
    tmp_path, exported_csv
):
    exported = list(csv.DictReader(io.StringIO(exported_csv.decode("utf-8-sig"))))
    assert len(exported) == len(HOSTILE)
    source = tmp_path / "practices.csv"
    source.write_bytes(exported_csv)

    (workbook,) = convert_to_xlsx(tmp_path, [source])
    cells = read_cells(workbook)
    header = columns_by_header(cells)

    originals = {text for pair in HOSTILE for text in pair}
    for row_number, row in enumerate(exported, start=2):
        for name in ("title", "summary"):
            cell = cells[row_number, header[name]]
            assert cell["formula"] is None, (name, cell)
            assert cell["type"] in {"s", "inlineStr"}, (name, cell)
            assert cell["text"] == row[name]
            # The reader still sees the whole original text after the guard quote.
            assert cell["text"][1:] in originals


def test_without_the_guard_the_same_spreadsheet_runs_formulas(tmp_path, exported_csv):
    """Control: the conversion above would have shown a formula had there been one."""
    text = exported_csv.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    unguarded = [rows[0]] + [
        [value[1:] if value.startswith("'") else value for value in row]
        for row in rows[1:]
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(unguarded)
    source = tmp_path / "unguarded.csv"
    source.write_text(buffer.getvalue(), encoding="utf-8")

    (workbook,) = convert_to_xlsx(tmp_path, [source])
    cells = read_cells(workbook)
    header = columns_by_header(cells)

    formulas = [
        cells[row_number, header[name]]["formula"]
        for row_number in range(2, len(rows) + 1)
        for name in ("title", "summary")
        if cells[row_number, header[name]]["formula"]
    ]
    assert 'HYPERLINK("http://evil.example/","Click me")' in formulas
    assert 'HYPERLINK("http://evil")' in formulas
