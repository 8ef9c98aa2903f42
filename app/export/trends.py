"""Trends across published summaries: per duty, disagreement and shift session by session."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from app.export import charts, wording
from app.export.summary import Summary
from app.i18n import gettext


@dataclass
class DutyTrend:
    duty: str
    name: str
    sessions: list[tuple[str, str, float | None, float | None]]  # date, title, disagreement, shift

    @property
    def label(self) -> str:
        """The duty's name in the reader's language."""
        return wording.duty_name(self.duty, self.name)

    def chart_svg(self) -> Markup:
        points = [(date, d, s) for date, _, d, s in self.sessions]
        return charts.svg(
            charts.trend_chart(
                gettext("%(name)s: uenighed og skift over tid", name=self.label),
                [
                    (
                        gettext("Uenighed"),
                        charts.BEFORE,
                        [charts.Point(w, d) for w, d, _ in points],
                    ),
                    (gettext("Skift"), charts.AFTER, [charts.Point(w, s) for w, _, s in points]),
                ],
            )
        )


def duty_trends(summaries: list[Summary]) -> list[DutyTrend]:
    """Oldest session first; a duty appears once it was touched by at least one session."""
    trends: dict[str, DutyTrend] = {}
    for summary in sorted(summaries, key=lambda s: s.date):
        for duty in summary.duties:
            trend = trends.setdefault(duty.duty, DutyTrend(duty.duty, duty.name, []))
            trend.sessions.append((summary.date, summary.title, duty.disagreement, duty.shift))
    return sorted(trends.values(), key=lambda t: t.name)


@dataclass
class RecurringDuty:
    """A duty in play in the real dilemmas case-givers shared (kollegasparring, own cases)."""

    duty: str
    name: str
    sessions: list[tuple[str, str, int]]  # date, title, shared cases with the duty in play

    @property
    def total(self) -> int:
        return sum(cases for _, _, cases in self.sessions)


def recurring_duties(summaries: list[Summary]) -> list[RecurringDuty]:
    """Most frequent first; only what case-givers let out of their groups is counted."""
    found: dict[str, RecurringDuty] = {}
    for summary in sorted(summaries, key=lambda s: s.date):
        for duty in summary.duties_in_play if summary.own_cases else ():
            item = found.setdefault(duty.duty, RecurringDuty(duty.duty, duty.name, []))
            item.sessions.append((summary.date, summary.title, duty.cases))
    return sorted(found.values(), key=lambda d: (-d.total, -len(d.sessions), d.name))
