"""The published HTML reports are well-formed: every element that is opened is closed, in order.

Checked on the golden reports of every bundled example (``tests/data/golden/reports``), which
the Rust suite regenerates byte for byte, and on a fresh report of a crafted cohort whose agency
names try to inject markup.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "reports"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Balance(HTMLParser):
    """Tracks open elements; records every mismatch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass  # <line ... /> in SVG: opened and closed at once

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(
                f"line {self.getpos()[0]}: </{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>"
            )
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()


def check(text: str) -> Balance:
    b = Balance()
    b.feed(text)
    b.close()
    return b


@pytest.mark.parametrize("example", sorted(p.name for p in GOLDEN.iterdir()) if GOLDEN.exists() else [])
def test_golden_reports_are_well_formed(example: str):
    text = (GOLDEN / example / "index.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    b = check(text)
    assert b.errors == []
    assert b.stack == [], f"left open: {b.stack}"
    assert b.scripts == 0, "a report needs no script"
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', ""), "nothing is fetched"


def test_there_are_golden_reports():
    assert len(list(GOLDEN.iterdir())) >= 5


def test_markup_in_user_text_stays_text(journeycost, tmp_path: Path):
    (tmp_path / "c.csv").write_text(
        'code,agency,unit_cost,price_year\nA,"</td></tr></table><script>x()</script>",100,2024\nB,Team,10,2024\n'
    )
    (tmp_path / "d.csv").write_text("year,index\n2024,100\n")
    (tmp_path / "e.csv").write_text(
        "person_id,pathway,date,code\n"
        + "".join(f"P{i},old,2024-01-0{i},A\nP{i},new,2024-01-0{i},B\n" for i in range(1, 8))
    )
    journeycost(
        "report",
        "--catalogue",
        tmp_path / "c.csv",
        "--deflators",
        tmp_path / "d.csv",
        "--events",
        tmp_path / "e.csv",
        "--key",
        "a python test key",
        "--out",
        tmp_path / "r",
    )
    text = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    b = check(text)
    assert b.errors == [] and b.stack == [] and b.scripts == 0
