#!/usr/bin/env python3
"""Writes the workbook seeds of the fuzz corpus (run from the repository's root):

- ucd-workbook/mini.xlsx: the GMCA Unit Cost Database v1.4 workbook (tests/data/ucd) cut to
  the first rows of each cost sheet and the whole Lookups sheet, its shared strings written
  inline in the cells that keep them, and its parts that no reader uses (printer settings,
  images, drawings, comments, the calculation chain, external links) left out: a seed small
  enough to mutate and zip again thousands of times, that still imports;
- hmt-workbook/release.xlsx: a small GDP deflator release laid out as HM Treasury publishes it.

The standard library only; the output is the same bytes on every run (fixed zip timestamps).
"""

import re
import zipfile
from xml.sax.saxutils import escape

SOURCE = "tests/data/ucd/gmca-unit-cost-database-v1.4.xlsx"
STAMP = (2014, 1, 1, 0, 0, 0)
KEEP_ROWS = 14
LOOKUPS = "xl/worksheets/sheet10.xml"


def write(path, parts):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def strings(z):
    xml = z.read("xl/sharedStrings.xml").decode()
    return ["".join(re.findall(r"<t[^>]*>(.*?)</t>", si, re.S)) for si in re.findall(r"<si>(.*?)</si>", xml, re.S)]


def inline(sheet, shared):
    def cell(m):
        attrs, value = m.group(1), m.group(2)
        attrs = attrs.replace(' t="s"', ' t="inlineStr"')
        return f"<c{attrs}><is><t>{shared[int(value)]}</t></is></c>"

    return re.sub(r'<c([^>]*? t="s"[^>]*)><v>(\d+)</v></c>', cell, sheet)


def ucd():
    z = zipfile.ZipFile(SOURCE)
    shared = strings(z)
    parts = []
    for name in z.namelist():
        if not name.endswith((".xml", ".rels")):
            continue
        if any(
            k in name
            for k in ("calcChain", "externalLink", "comments", "drawing", "printerSettings", "sharedStrings", "theme")
        ):
            continue
        data = z.read(name).decode()
        if name.startswith("xl/worksheets/sheet"):
            if name != LOOKUPS:
                rows = re.findall(r"<row .*?</row>", data, re.S)
                head, tail = data.split("<sheetData>")[0], data.split("</sheetData>")[1]
                data = head + "<sheetData>" + "".join(rows[:KEEP_ROWS]) + "</sheetData>" + tail
            data = inline(data, shared)
            data = re.sub(r"<f>.*?</f>", "", data, flags=re.S)
            data = re.sub(
                r"<(legacyDrawing|drawing|hyperlinks|hyperlink)[^>]*/>|<hyperlinks>.*?</hyperlinks>",
                "",
                data,
                flags=re.S,
            )
        if name == "xl/_rels/workbook.xml.rels":
            data = re.sub(r"<Relationship [^>]*(externalLink|calcChain|sharedStrings|theme)[^>]*/>", "", data)
        if name == "xl/workbook.xml":
            data = re.sub(
                r"<externalReferences>.*?</externalReferences>|<definedNames>.*?</definedNames>", "", data, flags=re.S
            )
        if name.startswith("xl/worksheets/_rels/"):
            continue
        if name == "[Content_Types].xml":
            data = re.sub(
                r"<Override [^>]*(externalLink|calcChain|sharedStrings|comments|drawing|theme)[^>]*/>", "", data
            )
        parts.append((name, data.encode()))
    write("fuzz/seeds/ucd-workbook/mini.xlsx", parts)


def hmt():
    rows = [
        ["GDP deflators at market prices"],
        [
            "",
            "Financial year",
            "2024-25 = 100",
            "per cent change",
            "",
            "",
            "Calendar year",
            "2024-25 = 100",
            "per cent change",
        ],
        ["", "2022-23", 93.1, 5.2, "", "", "2022", 92.0, 4.6],
        ["", "2023-24", 96.1117, 5.27, "", "", "2023", 95.0, 3.3],
        ["", "2024-25", 100.0, 4.05, "", "", "2024", 99.0, 4.2],
        ["", "2025-26 (1)", "-", 3.2388, "", "", "2025 (1)", "-", 3.0],
        ["", "Sources and footnotes:"],
    ]
    cols = "ABCDEFGHI"
    xml = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{cols[c]}{r}"
            if isinstance(v, float):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif v != "":
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = [
        (
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        ),
        (
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        ),
        (
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="GDP deflators" sheetId="1" r:id="rId1"/></sheets></workbook>',
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        ),
        (
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{main}"><dimension ref="A1:I7"/><sheetData>{"".join(xml)}</sheetData></worksheet>',
        ),
    ]
    write("fuzz/seeds/hmt-workbook/release.xlsx", [(n, d.encode()) for n, d in parts])


if __name__ == "__main__":
    ucd()
    hmt()
