"""The Summary as an A4 PDF (fpdf2, pure Python) with the bundled DejaVu font and the SVG charts."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF

from app.export import charts
from app.export.markdown import (
    case_line,
    changed_line,
    difficulty_line,
    duty_line,
    heaviest_line,
    meta,
    moves,
    own_cases,
)
from app.export.summary import CaseSummary, Summary
from app.export.wording import answers_heading, duty_name, group
from app.export.wording import text as shown
from app.i18n import gettext

FONTS = Path(__file__).with_name("fonts")
FAMILY = "sparring"  # the name charts.FONT asks for first
INK, MUTED = (20, 33, 61), (91, 100, 117)


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*MUTED)
        self.cell(
            0,
            6,
            gettext("Sparring · anonym opsummering · side %(page)s", page=self.page_no()),
            align="C",
        )


def _new() -> _Pdf:
    pdf = _Pdf(format="A4", unit="mm")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, text: str, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _votes(pdf: FPDF, case: CaseSummary, threshold: int) -> None:
    chart = charts.case_chart(case, threshold)
    width = min(pdf.epw, chart.width * 0.3)
    if pdf.get_y() + chart.height * width / chart.width > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(charts.svg(chart).encode()), w=width)
    pdf.ln(2)
    for option in case.options:
        counts = {"before": option.before, "after": option.after}
        _text(
            pdf,
            gettext(
                "%(key)s. %(text)s  (før %(before)s, efter %(after)s)",
                key=option.key,
                text=option.text,
                **counts,
            ),
            9,
            gap=0.5,
        )
    _text(pdf, case_line(case), 9)
    if changed := changed_line(case):
        _text(pdf, changed, 9)


def _case(pdf: FPDF, summary: Summary, case: CaseSummary) -> None:
    threshold = summary.threshold
    _text(pdf, f"{case.position}. {shown(case.title)}", 14, bold=True)
    _text(pdf, gettext("Pligt: %(name)s", name=duty_name(case.duty, case.duty_name)), 9)
    _text(pdf, shown(case.question), 11, bold=True)
    if not case.options:
        _text(pdf, gettext("Åben drøftelse uden afstemning."), 9)
    else:
        _votes(pdf, case, threshold)
    if case.moves:
        _text(pdf, gettext("Skift: %(list)s", list=moves(case)), 9)
    for line in (heaviest_line(case), difficulty_line(case)):
        if line:
            _text(pdf, line, 9)
    if case.group_answers:
        _text(pdf, answers_heading(summary), 11, bold=True, gap=0.5)
    for answer in case.group_answers:
        _text(pdf, f"{group(answer.label)} ({answer.option or '–'})", 10, bold=True, gap=0.3)
        _text(pdf, shown(" ".join(answer.reasoning.split())), 10)
    if case.closing_note:
        _text(pdf, gettext("Facilitatorens note"), 10, bold=True, gap=0.3)
        _text(pdf, shown(case.closing_note), 10)
    pdf.ln(3)


def to_pdf(summary: Summary) -> bytes:
    pdf = _new()
    pdf.set_title(shown(summary.title))
    _text(pdf, shown(summary.title), 18, bold=True)
    _text(pdf, meta(summary), 10)
    _text(
        pdf,
        gettext(
            "Anonym opsummering: ingen navne; tal under %(threshold)s vises som <%(threshold)s, og x er et tal, der er udeladt, så et lille tal ikke kan regnes ud af de andre. Uenighed er andelen, der ikke stemte på den største mulighed; nettoskift er, hvor langt fordelingen flyttede sig fra første afstemning til den nye.",
            threshold=summary.threshold,
        ),
        9,
        gap=4,
    )
    if summary.closing_note:
        _text(pdf, gettext("Facilitatorens afslutning"), 12, bold=True)
        _text(pdf, shown(summary.closing_note), 10, gap=4)
    if summary.duties:
        _text(pdf, gettext("Pligterne"), 12, bold=True)
        for duty in summary.duties:
            _text(pdf, duty_line(duty).removeprefix("- ").replace("**", ""), 10, gap=0.5)
        pdf.ln(4)
    for level, text in own_cases(summary) if summary.own_cases else ():
        size, bold = {2: (14, True), 3: (12, True), 1: (10, False), 0: (10, False)}[level]
        _text(pdf, f"• {text}" if level == 1 else text, size, bold=bold)
    for case in summary.cases:
        _case(pdf, summary, case)
    return bytes(pdf.output())
