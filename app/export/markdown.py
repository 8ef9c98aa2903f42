"""The Summary as Markdown: for e-mail and intranet pages, in the language of whoever downloads it."""

from __future__ import annotations

from app.domain.disclosure import HIDDEN
from app.export.summary import CaseSummary, DutySummary, Summary
from app.export.wording import answers_heading, duty_name, group, pct
from app.export.wording import text as shown
from app.i18n import current, day, gettext, ngettext, number


def case_line(case: CaseSummary) -> str:
    return gettext(
        "Stemmer før: %(before)s · efter: %(after)s · nettoskift: %(shift)s · uenighed før: %(dis_before)s, efter: %(dis_after)s",
        before=case.voters_before,
        after=case.voters_after,
        shift=pct(case.shift),
        dis_before=pct(case.disagreement_before),
        dis_after=pct(case.disagreement_after),
    )


def changed_line(case: CaseSummary) -> str:
    """How many changed their vote: printed only when no small count can be worked from it."""
    if case.changed == HIDDEN:
        return ""
    return gettext(
        "Skiftede stemme: %(changed)s af %(compared)s", changed=case.changed, compared=case.compared
    )


def duty_line(duty: DutySummary) -> str:
    moved = (
        gettext("; størst bevægelse i case %(position)s", position=duty.most_moved_case)
        if duty.most_moved_case
        else ""
    )
    cases = ", ".join(str(p) for p in duty.cases)
    shares = gettext(
        "uenighed %(disagreement)s, skift %(shift)s",
        disagreement=pct(duty.disagreement),
        shift=pct(duty.shift),
    )
    return f"- **{plain(duty_name(duty.duty, duty.name))}** (case {cases}): {shares}{moved}"


def meta(summary: Summary) -> str:
    return gettext(
        "Dato: %(date)s · Deltagere: %(participants)s · Grupper: %(groups)s",
        date=day(current.get(), summary.date),
        participants=summary.participants,
        groups=summary.groups,
    )


def moves(case: CaseSummary) -> str:
    return ", ".join(f"{m.from_option} → {m.to_option}: {m.count}" for m in case.moves)


def plain(text: str) -> str:
    """Any text as text: a `<` escaped, so no Markdown viewer reads HTML (or script) into it (also
    the facilitator's own, a case written in the editor); what the scrubbing removed is marked in
    the reader's language."""
    return shown(text).replace("<", "\\<")


def heaviest_line(case: CaseSummary) -> str:
    """Which duty weighed heaviest, people/groups, as the summary holds them ('' if none)."""
    if not case.heaviest_duty:
        return ""
    marks = (
        f"{plain(duty_name(m.duty, m.name))} {m.people}/{m.groups}" for m in case.heaviest_duty
    )
    return gettext("Tungeste pligt (personer/grupper): %(list)s", list=", ".join(marks))


def difficulty_line(case: CaseSummary) -> str:
    """The mean 'how hard' (1-5), or that it was withheld below the threshold ('' if unasked)."""
    answers = case.difficulty_answers
    if case.difficulty is not None:
        mean = number(current.get(), case.difficulty, 1)
        return gettext(
            "Hvor svært (1-5): %(mean)s (%(answers)s)",
            mean=mean,
            answers=ngettext("%(num)s svar", "%(num)s svar", answers),
        )
    if answers != "0":
        return gettext(
            "Hvor svært var dilemmaet: for få svar (%(answers)s) til at vise et gennemsnit.",
            answers=ngettext("%(num)s svar", "%(num)s svar", answers),
        )
    return ""


def own_cases(summary: Summary) -> list[tuple[int, str]]:
    """Kollegasparring with own cases, as (level, text): 2 and 3 are headings, 0 a paragraph, 1 a
    list item. Only what the case-givers shared; the Markdown and the PDF both render these."""
    run = gettext(
        "%(run)s grupper gav sparring på hver sin sag; %(shared)s case-givere delte noget fra deres.",
        run=summary.cases_run,
        shared=len(summary.shared_cases),
    )
    if summary.follow_ups:
        run += " " + ngettext(
            "%(num)s åben sag fra sidste møde blev fulgt op.",
            "%(num)s åbne sager fra sidste møde blev fulgt op.",
            summary.follow_ups,
        )
    parts = [(2, gettext("Kollegasparring: egne sager")), (0, run)]
    if summary.duties_in_play:
        parts.append((3, gettext("Pligter i spil i de delte sager")))
        parts += [(1, f"{duty_name(d.duty, d.name)}: {d.cases}") for d in summary.duties_in_play]
    if not summary.shared_cases:
        parts.append(
            (0, gettext("Ingen case-givere delte noget fra deres sag; det blev i grupperne."))
        )
    for case in summary.shared_cases:
        title = gettext("Sag %(n)s", n=case.number) + (
            f": {shown(case.title)}" if case.title else ""
        )
        parts.append((3, title))
        if case.duties:
            names = ", ".join(
                duty_name(d, n) for d, n in zip(case.duties, case.duty_names, strict=False)
            )
            parts.append((0, gettext("Pligter i spil:") + f" {names}"))
        if case.brief:
            parts += [(0, gettext("Dilemmaet i korte træk") + f": {shown(case.brief)}")]
        advice = shown(case.advice) or gettext("Gruppen skrev ingen råd ned.")
        parts.append((0, gettext("Gruppens råd") + f": {advice}"))
    return parts


def cell(text: str) -> str:
    """Text in a table cell: also a `|` escaped, which would split the cell."""
    return plain(" ".join(text.split())).replace("|", "\\|")


def to_markdown(summary: Summary) -> str:
    lines = [
        f"# {plain(summary.title)}",
        "",
        meta(summary),
        "",
        gettext(
            "Anonym opsummering: ingen navne; tal under %(threshold)s vises som <%(threshold)s, og x er et tal, der er udeladt, så et lille tal ikke kan regnes ud af de andre. Uenighed er andelen, der ikke stemte på den største mulighed; nettoskift er, hvor langt fordelingen flyttede sig fra første afstemning til den nye.",
            threshold=summary.threshold,
        ),
    ]
    if summary.closing_note:
        lines += ["", "## " + gettext("Facilitatorens afslutning"), "", plain(summary.closing_note)]
    if summary.duties:
        lines += ["", "## " + gettext("Pligterne"), ""] + [duty_line(d) for d in summary.duties]
    for level, text in own_cases(summary) if summary.own_cases else ():
        prefix = {2: "## ", 3: "### ", 1: "- ", 0: ""}[level]
        lines += ["", f"{prefix}{plain(' '.join(text.split()))}"]
    for case in summary.cases:
        lines += [
            "",
            f"## {case.position}. {plain(case.title)}",
            "",
            gettext("Pligt: %(name)s", name=plain(duty_name(case.duty, case.duty_name))),
            "",
            f"**{plain(case.question)}**",
            "",
        ]
        if case.options:
            lines += [gettext("| Mulighed | Før drøftelse | Efter drøftelse |"), "|---|---|---|"]
            lines += [f"| {o.key}. {cell(o.text)} | {o.before} | {o.after} |" for o in case.options]
            lines += ["", case_line(case)]
            lines += [changed] if (changed := changed_line(case)) else []
        else:
            lines.append(gettext("Åben drøftelse uden afstemning."))
        lines += [line for line in (heaviest_line(case), difficulty_line(case)) if line]
        if case.moves:
            lines.append(gettext("Skift: %(list)s", list=moves(case)))
        if case.group_answers:
            lines += ["", f"### {answers_heading(summary)}", ""]
            for answer in case.group_answers:
                reasoning = plain(" ".join(answer.reasoning.split()))
                lines.append(
                    f"- **{plain(group(answer.label))}** ({answer.option or '–'}): {reasoning}"
                )
        if case.closing_note:
            lines += ["", "### " + gettext("Facilitatorens note"), "", plain(case.closing_note)]
    return "\n".join(lines) + "\n"
