"""The answer key: every anomaly planted for the timeslip rules to find. Those of one
timeslip are tagged on its entry and recorded as its row is written; those of an
engineer (an excessive day, slowdown weeks, a month billed exactly to target or heaped
on half hours, a week-long ticket) are confirmed at the end against the rows actually
written, judged as the rule judges them. Also the planted survey cases: the client with
a low response rate and from when, and the client whose answers on one category hurt.
"""

from __future__ import annotations

from datetime import date, timedelta

from xla_lab.generate.calendars import utc_date
from xla_lab.generate.reference import end_date
from xla_lab.generate.surveys import HURTING_CATEGORY
from xla_lab.generate.timeslips import Desk, Entry, hundredths

OUTLIER_RATIO, OUTLIER_FLOOR_HOURS = 5, 4  # the effort_outlier rule's thresholds


class AnswerKey:
    """Part of the simulation: the planted anomalies, recorded and confirmed."""

    def _record(
        self, rule_id: str, subject_type: str, subject_id: str, engineer_id: str, detail: str
    ) -> None:
        self.anomalies.append(
            {
                "rule_id": rule_id,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "engineer_id": engineer_id,
                "detail": detail,
            }
        )

    def _finalize(self) -> None:
        """Engineer-level anomalies, confirmed against the rows actually written."""
        slowdown_weeks: dict[str, list[tuple[date, str, str]]] = {}
        for desk in self.desks.values():
            for finding in desk.findings:
                if finding.rule_id == "excessive_day":
                    written = self.day_minutes.get((desk.id, finding.days[0]), 0)
                    if written >= finding.min_minutes:
                        self._record(
                            finding.rule_id,
                            finding.subject_type,
                            finding.subject_id,
                            desk.id,
                            finding.detail,
                        )
                elif finding.rule_id == "post_target_slowdown":
                    detail = self._slowdown_detail(desk, finding.days, finding.cut)
                    if detail:
                        slowdown_weeks.setdefault(desk.id, []).append(
                            (finding.days[0], finding.subject_id, detail)
                        )
        for engineer_id, weeks in slowdown_weeks.items():
            # The rule wants consecutive weeks: keep runs of two or more.
            mondays = {monday for monday, _, _ in weeks}
            for monday, subject_id, detail in weeks:
                if (monday - timedelta(days=7)) in mondays or (
                    monday + timedelta(days=7)
                ) in mondays:
                    self._record(
                        "post_target_slowdown", "engineer_period", subject_id, engineer_id, detail
                    )
        for desk in self.desks.values():
            if "exact_target" in desk.habits:
                self._padder_months(desk)
        self._effort_outliers()

    def _effort_outliers(self) -> None:
        """Week-long tickets, judged as the rule judges them: against the median of all
        engineers' per-ticket hours for the same category and priority."""
        groups: dict[tuple[str, str], list[int]] = {}
        for (_, ticket_id), total in self.pair_hours.items():
            groups.setdefault(self.ticket_group[ticket_id], []).append(total)
        for engineer_id, item in self.focus_items:
            total = self.pair_hours.get((engineer_id, item.ticket_id), 0)
            peers = sorted(groups.get((item.category, item.priority), [0]))
            middle = len(peers) // 2
            median = peers[middle] if len(peers) % 2 else (peers[middle - 1] + peers[middle]) / 2
            if total >= OUTLIER_FLOOR_HOURS * 100 and total > OUTLIER_RATIO * median:
                self._record(
                    "effort_outlier",
                    "ticket",
                    f"{engineer_id}|{item.ticket_id}",
                    engineer_id,
                    f"{hundredths(total)} h on one {item.priority} {item.category} ticket; "
                    f"the median for {item.priority} {item.category} is {median / 100:.2f} h",
                )

    def _slowdown_detail(self, desk: Desk, days: tuple[date, ...], cut: int) -> str:
        week = [e for e in self.habit_entries.get(desk.id, []) if e.work_date in days]
        before = [e for e in week if e.end <= cut]
        after = [e for e in week if e.start >= cut]
        worked_before = sum(e.minutes for e in before) / 60
        worked_after = sum(e.minutes for e in after) / 60
        if worked_before < 20 or worked_after < 4:
            return ""
        pace_before = sum(e.billed for e in before) / 100 / worked_before
        pace_after = sum(e.billed for e in after) / 100 / worked_after
        if pace_after > pace_before * 0.4:
            return ""
        reached = self.zones[desk.engineer.timezone].local(cut).strftime("%a %H:%M")
        target = desk.engineer.weekly_contracted_hours * desk.engineer.billable_target_pct / 100
        return (
            f"reached the {target:g} h weekly billable target on {reached}; billed per hour "
            f"worked {pace_before:.2f} before, {pace_after:.2f} after"
        )

    def _padder_months(self, desk: Desk) -> None:
        target = round(desk.engineer.daily_target_hundredths)
        by_month: dict[str, dict[date, list[Entry]]] = {}
        for e in self.habit_entries.get(desk.id, []):
            by_month.setdefault(e.work_date.strftime("%Y-%m"), {}).setdefault(
                e.work_date, []
            ).append(e)
        for label, days in sorted(by_month.items()):
            entries = [e for day_entries in days.values() for e in day_entries]
            exact = sum(1 for d in days.values() if sum(e.billed for e in d) == target)
            first = date.fromisoformat(f"{label}-01")
            month_days = [
                first + timedelta(days=i)
                for i in range((end_date(first, 1) - first).days)
                if self.start <= first + timedelta(days=i) < self.end
            ]
            working = sum(1 for d in month_days if desk.available_minutes(d))
            heaped = sum(1 for e in entries if e.minutes % 30 == 0)
            team_total, team_heaped = self.team_heaping.get((desk.engineer.team, label), [0, 0])
            others = max(1, team_total - len(entries))
            team_share = max(team_heaped / max(1, team_total), (team_heaped - heaped) / others)
            share = heaped / len(entries)
            subject = f"{desk.id}|{label}"
            if len(entries) >= 20 and share >= 0.8 and share >= 3 * team_share:
                self._record(
                    "round_heaping",
                    "engineer_period",
                    subject,
                    desk.id,
                    f"{heaped} of {len(entries)} durations on whole or half hours "
                    f"(team share {team_share:.2f})",
                )
            if len(days) >= 5 and exact / len(days) >= 0.7 and exact / max(1, working) >= 0.65:
                self._record(
                    "exact_target",
                    "engineer_period",
                    subject,
                    desk.id,
                    f"billed exactly {hundredths(target)} h on {exact} of {len(days)} days worked",
                )

    def answer_key(self) -> dict[str, object]:
        return {
            "client_profiles": {c.client_id: c.profile for c in self.ref.clients},
            "engineer_habits": {
                e.engineer_id: sorted(e.habits) for e in self.ref.engineers if e.habits
            },
            "timeslip_anomalies": sorted(
                self.anomalies, key=lambda a: (a["rule_id"], a["subject_id"], a["detail"])
            ),
            "survey_cases": {
                "low_response_rate": {
                    "client_id": self.low_rate_client,
                    "from": utc_date(self.low_rate_from).isoformat(),
                },
                "category_that_hurts": [
                    {"client_id": client_id, "category": HURTING_CATEGORY}
                    for client_id in self.hurting_clients
                ],
            },
        }
