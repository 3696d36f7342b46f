"""Which engineer gets a ticket: one of the client's region at work that day, by team
fit, capacity and current load, or out of hours one of the region's on-call roster.
Engineers with a habit take more tickets, so that their patterns show, and a week-long
ticket goes to someone not about to go on leave.
"""

from __future__ import annotations

from datetime import timedelta

from xla_lab.generate.people import Client

TEAM_FOR_CATEGORY = {
    "network": ("infrastructure", 0.7),
    "security": ("infrastructure", 0.7),
    "backup": ("infrastructure", 0.7),
    "project": ("projects", 0.9),
}
# Habits need a full queue to show: those engineers take more tickets.
HABIT_LOAD = {"exact_target": 3.0, "post_target_slowdown": 1.5}
SLOWDOWN_GRAB, SLOWDOWN_AVOID = 4.0, 0.2
ASSIGNMENT_LOAD = 60.0  # minutes of expected work a new assignment adds
OUTLIER_DAYS = 8


class Assignment:
    """Part of the simulation: picking the engineer of each ticket assignment."""

    def _pick_engineer(
        self, client: Client, category: str, when: int, avoid: str | None, ordinary: bool
    ) -> str | None:
        """An engineer of the client's region at work that day, by team and current load.

        Two candidates are drawn by team fit and capacity; the less loaded one gets the
        ticket ("power of two choices"), which keeps queues even without scanning them.
        """
        rng = self.assign_rng
        team, share = TEAM_FOR_CATEGORY.get(category, ("service_desk", 0.9))
        if rng.random() >= share:
            team = "service_desk" if team != "service_desk" else "infrastructure"
        ids, cumulative = self._candidates(client.region, team, avoid, ordinary, when)
        if not ids:
            return None
        first = rng.choices(ids, cum_weights=cumulative)[0]
        second = rng.choices(ids, cum_weights=cumulative)[0]
        chosen = min(
            (first, second),
            key=lambda i: (self.desks[i].load_at(when) / self._capacity(i, when), i),
        )
        self.desks[chosen].add_load(when, ASSIGNMENT_LOAD)
        return chosen

    def _capacity(self, engineer_id: str, when: int) -> float:
        """How much new work an engineer takes on at a moment.

        The engineer who eases off after the weekly target grabs tickets from the queue
        early in a target week and avoids them on its Friday."""
        capacity = self.capacity[engineer_id]
        desk = self.desks[engineer_id]
        if "post_target_slowdown" in desk.habits:
            day = desk.zone.local_date(when)
            if desk.target_week(day):
                capacity *= SLOWDOWN_GRAB if day.isoweekday() <= 3 else SLOWDOWN_AVOID
        return capacity

    def _candidates(
        self, region: str, team: str, avoid: str | None, ordinary: bool, when: int
    ) -> tuple[list[str], list[float]]:
        dates = tuple(self.zones[z].local_date(when) for z in self.region_zones.get(region, ()))
        key = (region, team, avoid, ordinary, dates)
        found = self.candidate_cache.get(key)
        if found is not None:
            return found
        if len(self.candidate_cache) > 20_000:
            self.candidate_cache.clear()
        ids: list[str] = []
        weights: list[float] = []
        for engineer_id in self.pool.get(region, []):
            desk = self.desks[engineer_id]
            if engineer_id == avoid or (ordinary and desk.habits):
                continue
            day = dates[self.region_zones[region].index(desk.zone.name)]
            if not desk.available_minutes(day):
                continue
            # A week-long piece of work goes to someone who is not about to go on leave.
            if ordinary and any(
                desk.leave.get(day + timedelta(days=i)) for i in range(1, OUTLIER_DAYS)
            ):
                continue
            fit = 1.0 if desk.engineer.team == team else 0.35
            ids.append(engineer_id)
            weights.append(self._capacity(engineer_id, when) * fit)
        if not ids:
            # Out of hours: the region's on-call roster.
            for engineer_id in self.pool.get(region, []):
                desk = self.desks[engineer_id]
                day = dates[self.region_zones[region].index(desk.zone.name)]
                if engineer_id != avoid and not desk.habits and desk.engineer.employed(day):
                    ids.append(engineer_id)
                    weights.append(1.0)
        cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            cumulative.append(total)
        self.candidate_cache[key] = (ids, cumulative)
        return ids, cumulative
