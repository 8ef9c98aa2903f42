"""The Summary as Markdown: for e-mail and intranet pages."""

from __future__ import annotations

from app.export.summary import CaseSummary, DutySummary, Summary

OPEN_CASE = "Åben drøftelse uden afstemning."


def pct(value: float | None) -> str:
    """A 0-1 share as a Danish percentage ('–' when unknown or masked)."""
    return "–" if value is None else f"{round(value * 100)} %"


def case_line(case: CaseSummary) -> str:
    return (
        f"Stemmer før: {case.voters_before} · efter: {case.voters_after} · "
        f"skiftede: {case.changed} af {case.compared} ({pct(case.shift)}) · "
        f"uenighed før: {pct(case.disagreement_before)}, efter: {pct(case.disagreement_after)}"
    )


def duty_line(duty: DutySummary) -> str:
    moved = f"; størst bevægelse i case {duty.most_moved_case}" if duty.most_moved_case else ""
    cases = ", ".join(str(p) for p in duty.cases)
    return (
        f"- **{duty.name}** (case {cases}): uenighed {pct(duty.disagreement)}, "
        f"skift {pct(duty.shift)}{moved}"
    )


def plain(text: str) -> str:
    """People's text as text: a `<` escaped, so no Markdown viewer reads HTML (or script) into it."""
    return text.replace("<", "\\<")


def to_markdown(summary: Summary) -> str:
    lines = [
        f"# {plain(summary.title)}",
        "",
        f"Dato: {summary.date} · Deltagere: {summary.participants} · Grupper: {summary.groups}",
        "",
        f"Anonym opsummering: ingen navne; tal under {summary.threshold} vises som "
        f"<{summary.threshold}. Uenighed er andelen, der ikke stemte på den største mulighed.",
    ]
    if summary.closing_note:
        lines += ["", "## Facilitatorens afslutning", "", plain(summary.closing_note)]
    if summary.duties:
        lines += ["", "## Pligterne", ""] + [duty_line(d) for d in summary.duties]
    for case in summary.cases:
        lines += [
            "",
            f"## {case.position}. {case.title}",
            "",
            f"Pligt: {case.duty_name}",
            "",
            f"**{case.question}**",
            "",
        ]
        if case.options:
            lines += ["| Mulighed | Før drøftelse | Efter drøftelse |", "|---|---|---|"]
            lines += [f"| {o.key}. {o.text} | {o.before} | {o.after} |" for o in case.options]
            lines += ["", case_line(case)]
        else:
            lines.append(OPEN_CASE)
        if case.heaviest_duty:
            lines.append(
                "Tungeste pligt (personer/grupper): "
                + ", ".join(f"{m.name} {m.people}/{m.groups}" for m in case.heaviest_duty)
            )
        if case.difficulty is not None:
            lines.append(
                f"Hvor svært (1-5): {case.difficulty:.1f} ({case.difficulty_answers} svar)".replace(
                    ".", ","
                )
            )
        if case.moves:
            lines.append(
                "Skift: "
                + ", ".join(f"{m.from_option} → {m.to_option}: {m.count}" for m in case.moves)
            )
        if case.group_answers:
            lines += ["", "### Gruppernes svar", ""]
            for answer in case.group_answers:
                reasoning = plain(" ".join(answer.reasoning.split()))
                lines.append(f"- **{answer.label}** ({answer.option or '–'}): {reasoning}")
        if case.closing_note:
            lines += ["", "### Facilitatorens note", "", plain(case.closing_note)]
    return "\n".join(lines) + "\n"
