"""Customer feedback: csat after closed tickets, quarterly nps relationship surveys.

Scores follow the client's profile. Negative answers (0-6) are followed up, mostly by the
end of the next business day in the client's calendar, sometimes late, sometimes never.

Surveys sent and never answered are rows too (`Unanswered`: `sent_at` only): every nps
invitation nobody answered, and the csat survey of half the closed tickets whose contact
did not answer (the other half were never surveyed). They are decided apart from every
answer, so the answered rows are the same with or without them. Two planted cases:

- **Low response rate**: in the period's last `LOW_RATE_MONTHS` months, one happy
  client's csat survey goes to every closed ticket's contact and to
  `LOW_RATE_COPIED_CONTACTS` contacts copied on it, who never answer: its csat response
  rate falls below 20 %, and its targets, judged on as many answers as before, are low
  confidence.
- **A category that hurts**: two normal clients' csat answers on `HURTING_CATEGORY`
  tickets skew low (0-6) and carry hours of lost time, redrawn from a stream of their
  own, so every other answer stays as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from xla_lab.generate import text
from xla_lab.generate.calendars import BusinessCalendar, Zone
from xla_lab.generate.people import Client
from xla_lab.generate.tickets import TicketLife

HOUR = 3600
CSAT_RESPONSE_RATE = {"normal": 0.2, "happy": 0.4, "watermelon": 0.55, "struggling": 0.35}
# Shares of 0-6, 7-8 and 9-10 answers.
SCORE_MIX = {
    "csat": {
        "happy": (0.01, 0.06, 0.93),
        "normal": (0.04, 0.18, 0.78),
        "struggling": (0.50, 0.30, 0.20),
        "watermelon": (0.68, 0.22, 0.10),
    },
    "nps": {
        "happy": (0.02, 0.08, 0.90),
        "normal": (0.03, 0.22, 0.75),
        "struggling": (0.55, 0.30, 0.15),
        "watermelon": (0.62, 0.28, 0.10),
    },
}
# Chance of a lost-time estimate, and the minutes respondents give.
LOST_TIME: dict[str, tuple[float, tuple[int, ...], tuple[int, ...]]] = {
    "happy": (0.15, (0, 5, 10, 15), (3, 3, 2, 1)),
    "normal": (0.3, (0, 5, 10, 15, 20, 30, 45, 60), (2, 3, 4, 4, 3, 3, 1, 1)),
    "struggling": (0.6, (30, 45, 60, 90, 120, 180, 240), (2, 2, 3, 3, 2, 1, 1)),
    "watermelon": (0.8, (60, 90, 120, 180, 240, 300), (2, 3, 3, 2, 1, 1)),
}
# Of the closed tickets whose contact did not answer, the share surveyed all the same.
UNANSWERED_SENT_SHARE = 0.5
LOW_RATE_MONTHS = 3
LOW_RATE_COPIED_CONTACTS = 2
HURTING_CATEGORY = "software"
HURTING_LOST_TIME = ((90, 120, 180, 240, 360, 480), (1, 2, 3, 3, 2, 1))
FOLLOW_UP_ON_TIME = {"happy": 1.0, "normal": 0.9, "watermelon": 0.92, "struggling": 0.55}
COMMENT_RATE = 0.4
HOSTILE_SHARE = 0.12


@dataclass(slots=True)
class Response:
    """One survey response and, when it happened, its follow-up."""

    survey_type: str
    ticket_id: str
    client: Client
    contact_id: str
    sent: int
    responded: int
    score: int
    comment: str
    lost_time: int | None
    follow_up: int | None = None
    follow_up_by: str = ""
    follow_up_outcome: str = ""


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A survey sent and never answered: a row with `sent_at` and nothing of an answer."""

    survey_type: str
    ticket_id: str
    client: Client
    contact_id: str
    sent: int


def _score(rng: random.Random, mix: tuple[float, float, float]) -> int:
    band = rng.choices((0, 1, 2), weights=mix)[0]
    if band == 0:
        return rng.choices(range(7), weights=(1, 1, 2, 3, 4, 5, 6))[0]
    if band == 1:
        return rng.choice((7, 8))
    return 9 if rng.random() < 0.4 else 10


def _comment(rng: random.Random, score: int) -> str:
    if rng.random() >= COMMENT_RATE:
        return ""
    if rng.random() < HOSTILE_SHARE:
        return rng.choice(text.HOSTILE_COMMENTS)
    if score <= 6:
        return rng.choice(text.NEGATIVE_COMMENTS)
    if score <= 8:
        return rng.choice(text.NEUTRAL_COMMENTS)
    return rng.choice(text.POSITIVE_COMMENTS)


def _awake(zone: Zone, ts: int, rng: random.Random) -> int:
    """Move a night-time answer to the next morning: people answer between 07 and 22."""
    local = zone.local(ts)
    if 7 <= local.hour < 22:
        return ts
    day = local.date() + timedelta(days=1) if local.hour >= 22 else local.date()
    morning = datetime.combine(day, time(7)) + timedelta(seconds=rng.randint(0, 5400))
    return max(ts, zone.to_ts(morning))


def _follow_up(
    response: Response,
    zone: Zone,
    calendar: BusinessCalendar,
    lead: str,
    on_time_rate: float,
    rng: random.Random,
) -> None:
    roll = rng.random()
    if roll >= on_time_rate + (1 - on_time_rate) * 0.6:
        return  # never followed up
    answered = zone.local(response.responded)
    deadline = calendar.end_of_next_open_day(answered)
    if roll < on_time_rate:
        available = calendar.open_minutes_between(answered, deadline)
        local = calendar.add_minutes(answered, rng.uniform(10, max(11, 0.9 * available)))
        followed = zone.to_ts(local)
    else:
        local = calendar.add_minutes(deadline, rng.uniform(60, 1200))
        followed = zone.to_ts(local) + rng.randint(0, 59)
    response.follow_up = max(followed, response.responded + 60)
    response.follow_up_by = lead
    response.follow_up_outcome = rng.choice(text.FOLLOW_UP_OUTCOMES)


def csat_response(
    life: TicketLife,
    zone: Zone,
    calendar: BusinessCalendar,
    lead: str,
    rng: random.Random,
) -> Response | None:
    """The csat answer to a closed ticket, if the contact answers."""
    client = life.spec.client
    if life.closed is None or not life.spec.contact_id:
        return None
    if rng.random() >= CSAT_RESPONSE_RATE[client.profile]:
        return None
    delay = min(5 * 24 * HOUR, max(600, int(5 * HOUR * rng.lognormvariate(0, 1.1))))
    responded = _awake(zone, life.closed + delay, rng)
    score = _score(rng, SCORE_MIX["csat"][client.profile])
    chance, minutes, weights = LOST_TIME[client.profile]
    lost = rng.choices(minutes, weights=weights)[0] if rng.random() < chance else None
    response = Response(
        survey_type="csat",
        ticket_id=life.ticket_id,
        client=client,
        contact_id=life.spec.contact_id,
        sent=life.closed,
        responded=responded,
        score=score,
        comment=_comment(rng, score),
        lost_time=lost,
    )
    if score <= 6:
        _follow_up(response, zone, calendar, lead, FOLLOW_UP_ON_TIME[client.profile], rng)
    return response


def unanswered_csat(
    life: TicketLife, answered: bool, low_rate: bool, rng: random.Random
) -> list[Unanswered]:
    """The csat surveys of a closed ticket nobody answered: the contact's, for a share of
    the tickets it did not answer (all of them for the low-rate client), and for the
    low-rate client those of the contacts copied on the ticket. `rng` is the ticket's
    own stream, apart from the answers'."""
    client = life.spec.client
    if life.closed is None or not life.spec.contact_id:
        return []
    surveys: list[Unanswered] = []
    if not answered and (low_rate or rng.random() < UNANSWERED_SENT_SHARE):
        surveys.append(
            Unanswered("csat", life.ticket_id, client, life.spec.contact_id, life.closed)
        )
    if low_rate:
        others = [
            client.contact_id(n)
            for n in range(1, client.contacts + 1)
            if client.contact_id(n) != life.spec.contact_id
        ]
        copied = sorted(rng.sample(others, min(LOW_RATE_COPIED_CONTACTS, len(others))))
        surveys += [
            Unanswered("csat", life.ticket_id, client, contact, life.closed) for contact in copied
        ]
    return surveys


def hurt(
    response: Response,
    zone: Zone,
    calendar: BusinessCalendar,
    lead: str,
    rng: random.Random,
) -> None:
    """Skew a csat answer on the hurting category low, with hours of lost time. `rng` is
    the ticket's own stream: a new negative is followed up as the client's others are."""
    score = min(response.score, _score(rng, (1.0, 0.0, 0.0)))
    minutes, weights = HURTING_LOST_TIME
    lost = rng.choices(minutes, weights=weights)[0]
    response.lost_time = max(lost, response.lost_time or 0)
    if score == response.score:
        return
    was_negative = response.score <= 6
    response.score = score
    response.comment = _comment(rng, score)
    if not was_negative:
        profile = response.client.profile
        _follow_up(response, zone, calendar, lead, FOLLOW_UP_ON_TIME[profile], rng)


def nps_wave(
    client: Client,
    zone: Zone,
    calendar: BusinessCalendar,
    lead: str,
    month_first: date,
    not_before: int,
    rng: random.Random,
) -> tuple[list[Response], list[Unanswered]]:
    """A quarterly relationship survey: sent on the fifth business day of the month; the
    answers, and the invitations nobody answered."""
    day = month_first - timedelta(days=1)
    for _ in range(5):
        day = calendar.next_open_day(day)
    sent = zone.to_ts(datetime.combine(day, time(10)) + timedelta(seconds=rng.randint(0, 3600)))
    if sent < not_before:
        later = calendar.next_open_day(zone.local_date(not_before))
        sent = zone.to_ts(datetime.combine(later, time(10)))
    count = min(client.contacts, rng.randint(7, 9))
    contacts = sorted(rng.sample(range(1, client.contacts + 1), count))
    answering = sum(rng.random() < 0.65 for _ in contacts)
    if client.profile in ("happy", "watermelon"):
        # Enough answers every wave for the nps target to be judged.
        answering = max(answering, min(count, 6))
    responses: list[Response] = []
    answerers = rng.sample(contacts, answering)
    silent = [
        Unanswered("nps", "", client, client.contact_id(number), sent)
        for number in contacts
        if number not in answerers
    ]
    for number in answerers:
        delay = min(8 * 24 * HOUR, max(2 * HOUR, int(36 * HOUR * rng.lognormvariate(0, 0.8))))
        score = _score(rng, SCORE_MIX["nps"][client.profile])
        response = Response(
            survey_type="nps",
            ticket_id="",
            client=client,
            contact_id=client.contact_id(number),
            sent=sent,
            responded=_awake(zone, sent + delay, rng),
            score=score,
            comment=_comment(rng, score),
            lost_time=None,
        )
        if score <= 6 and rng.random() < 0.6:
            _follow_up(response, zone, calendar, lead, 0.7, rng)
        responses.append(response)
    return sorted(responses, key=lambda r: (r.responded, r.contact_id)), silent
