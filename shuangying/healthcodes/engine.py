"""The rules engine (D1): one person's code at request time, every person's code set-based.

Semantics, shared by ``evaluate`` (Python, one person) and ``reevaluate_all`` (SQL, everyone):

* The rule set is the one effective on the local date of ``at`` (latest ``effective_from`` on
  or before it): a change from "red 14 days" to "red 7 days" applies from its date to every
  event, old ones included.
* For each rule (kind, risk level) only the person's latest event of that kind at or before
  ``at`` counts. It is active unless an ending event (quarantine ended, fever resolved,
  arrival cleared by review) happened at or after it, and, for timed kinds, unless
  ``occurred_at + duration_days`` is at or before ``at``. Ongoing kinds (quarantine, fever)
  last until their ending event; their duration only gives the expected end.
* The winner is the first active rule in the order (colour severity, priority, kind, level),
  worst first. No active rule: the palette's default colour (green).
* A manual override (the latest approved one) replaces the computed colour until its
  ``ends_at``, except that an active quarantine with a worse colour still wins: never green
  during an active quarantine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .choices import ENDED_BY, ONGOING_KINDS, EventKind
from .models import PaletteColour, Rule, RuleSet

NO_RISK_REASON = "未发现风险情形"
OVERRIDE_REASON = "人工赋码"


@dataclass(frozen=True)
class Colour:
    code: str
    label: str
    hex: str
    severity: int


@dataclass(frozen=True)
class CompiledRule:
    kind: str
    risk_level: str
    colour: Colour
    duration: timedelta
    priority: int
    reason: str

    @property
    def ongoing(self) -> bool:
        return self.kind in ONGOING_KINDS

    @property
    def ended_by(self) -> str | None:
        return ENDED_BY.get(self.kind)


@dataclass(frozen=True)
class CompiledRuleSet:
    version: int | None
    rules: tuple[CompiledRule, ...]  # worst first
    default: Colour
    palette: dict[str, Colour]


@dataclass(frozen=True)
class CodeResult:
    colour: str
    label: str
    hex: str
    reason: str
    since: datetime | None
    until: datetime | None
    ruleset_version: int | None = None


def _colour(p: PaletteColour) -> Colour:
    return Colour(p.code, str(p.label), p.hex, p.severity)


# The palette for verification (a gate verifies many codes a minute, without a query each).
PALETTE_TTL = 60.0
_palette_cache: list = []


def cached_palette() -> dict[str, Colour]:
    now = time.monotonic()
    if _palette_cache and now - _palette_cache[0] < PALETTE_TTL:
        return _palette_cache[1]
    palette = {p.code: _colour(p) for p in PaletteColour.objects.all()}
    _palette_cache[:] = [now, palette]
    return palette


# The compiled rule set of a day, per process, for a few seconds: it is the same for every
# person, and a check-in computes one code per person scanned. A change to the rules or the
# palette clears it at once in the process that made it (signals in apps.py) and is seen by
# every other process within RULESET_TTL seconds.
RULESET_TTL = 5.0
_rulesets: dict = {}


def ruleset_for(day) -> CompiledRuleSet:
    """``load_ruleset(day)``, cached per process for RULESET_TTL seconds."""
    now = time.monotonic()
    hit = _rulesets.get(day)
    if hit is not None and now - hit[0] < RULESET_TTL:
        return hit[1]
    ruleset = load_ruleset(day)
    _rulesets.clear()
    _rulesets[day] = (now, ruleset)
    return ruleset


def forget_rulesets(**_signal) -> None:
    _rulesets.clear()
    _palette_cache.clear()


# The colour of a person whom no rule matches when the palette table is empty (a database whose
# seeded rows were removed): the code still answers, green, as the seeded default is.
FALLBACK_DEFAULT = Colour("green", "绿码", "#1E9E4A", 10)


def load_ruleset(day) -> CompiledRuleSet:
    """The rule set effective on ``day``, compiled (three queries)."""
    palette = {p.code: _colour(p) for p in PaletteColour.objects.all()}
    defaults = list(PaletteColour.objects.filter(is_default=True).values_list("code", flat=True))
    if defaults:
        default = palette[defaults[0]]
    elif palette:
        default = min(palette.values(), key=lambda c: c.severity)
    else:
        default = FALLBACK_DEFAULT
        palette = {default.code: default}
    ruleset = RuleSet.objects.effective_on(day).first()
    if ruleset is None:
        return CompiledRuleSet(None, (), default, palette)
    rules = [
        CompiledRule(
            kind=r.kind,
            risk_level=r.risk_level,
            colour=palette[r.colour_id],
            duration=timedelta(days=r.duration_days),
            priority=r.priority,
            reason=r.reason,
        )
        for r in Rule.objects.filter(ruleset=ruleset)
    ]
    rules.sort(key=lambda r: (-r.colour.severity, -r.priority, r.kind, r.risk_level))
    return CompiledRuleSet(ruleset.version, tuple(rules), default, palette)


@dataclass(frozen=True)
class EventFact:
    """What the engine reads of a HealthEvent."""

    id: int
    kind: str
    occurred_at: datetime
    risk_level: str = ""
    colour: str = ""
    ends_at: datetime | None = None


def evaluate(events, rs: CompiledRuleSet, at: datetime) -> CodeResult:
    """The code at ``at`` from ``events`` (any order) under ``rs``. Pure: no queries."""
    latest: dict[tuple[str, str], datetime] = {}
    ended: dict[str, datetime] = {}
    override: EventFact | None = None
    for e in events:
        if e.occurred_at > at:
            continue
        if e.kind == EventKind.MANUAL_OVERRIDE:
            if override is None or (e.occurred_at, e.id) > (override.occurred_at, override.id):
                override = e
            continue
        key = (e.kind, e.risk_level)
        if key not in latest or e.occurred_at > latest[key]:
            latest[key] = e.occurred_at
        if e.kind not in ended or e.occurred_at > ended[e.kind]:
            ended[e.kind] = e.occurred_at
    winner: tuple[CompiledRule, datetime] | None = None
    quarantine: tuple[CompiledRule, datetime] | None = None
    for rule in rs.rules:
        start = latest.get((rule.kind, rule.risk_level))
        if start is None:
            continue
        end = ended.get(rule.ended_by) if rule.ended_by else None
        if end is not None and end >= start:
            continue
        if not rule.ongoing and start + rule.duration <= at:
            continue
        if winner is None:
            winner = (rule, start)
        if rule.kind == EventKind.QUARANTINE_STARTED:
            quarantine = (rule, start)
    if override is not None and override.ends_at is not None and override.ends_at > at:
        colour = rs.palette.get(override.colour, rs.default)
        if quarantine is None or quarantine[0].colour.severity <= colour.severity:
            return CodeResult(
                colour.code,
                colour.label,
                colour.hex,
                OVERRIDE_REASON,
                override.occurred_at,
                override.ends_at,
                rs.version,
            )
    if winner is None:
        d = rs.default
        return CodeResult(d.code, d.label, d.hex, NO_RISK_REASON, None, None, rs.version)
    rule, start = winner
    until = start + rule.duration
    if rule.ongoing and until <= at:
        until = None  # overdue: lasts until the ending event
    c = rule.colour
    return CodeResult(c.code, c.label, c.hex, rule.reason, start, until, rs.version)


def local_day(at: datetime):
    return timezone.localtime(at).date()


# Read on every check-in and every code page: one indexed statement, without the ORM's
# query compilation (which costs more than this query itself). ``facts_join`` gives the same
# columns as a join, for a caller that reads the person in the same statement.
FACTS_COLUMNS = ("id", "kind", "occurred_at", "risk_level", "colour", "ends_at")
FACTS_SQL = (
    f"SELECT {', '.join(FACTS_COLUMNS)} FROM healthcodes_healthevent "  # noqa: S608
    "WHERE person_id = %s AND occurred_at <= %s"
)


def facts_join(person_column: str, alias: str = "e") -> tuple[str, str]:
    """Public (the check-ins read a person and their events in one statement with it):
    (select list, LEFT JOIN clause) reading a person's events up to a time (one ``%s``
    parameter in the join) beside a statement that selects ``person_column``. Rows without
    an event come back as NULLs, which ``facts_from_rows`` skips; the rows' columns then go
    to ``current_code(person, at, facts=facts_from_rows(rows))``."""
    columns = ", ".join(f"{alias}.{c}" for c in FACTS_COLUMNS)
    join = (
        f"LEFT JOIN healthcodes_healthevent {alias} "
        f"ON {alias}.person_id = {person_column} AND {alias}.occurred_at <= %s"
    )
    return columns, join


def _aware(value: datetime | None) -> datetime | None:
    """A datetime from a raw cursor: SQLite gives naive UTC, PostgreSQL aware."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def facts_from_rows(rows) -> list[EventFact]:
    return [
        EventFact(pk, kind, _aware(occurred), level or "", colour or "", _aware(ends))
        for pk, kind, occurred, level, colour, ends in rows
        if pk is not None
    ]


def facts_for(person_id: int, at: datetime) -> list[EventFact]:
    with connection.cursor() as cursor:
        cursor.execute(FACTS_SQL, [person_id, connection.ops.adapt_datetimefield_value(at)])
        return facts_from_rows(cursor.fetchall())


def demo_as_of() -> date | None:
    """The demo data's day (settings.SHUANGYING_DEMO_AS_OF) when the demo is on, else None."""
    value = getattr(settings, "SHUANGYING_DEMO_AS_OF", None)
    if not settings.SHUANGYING_DEMO or not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def reporting_day() -> date:
    """Today; in the demo, the demo data's day. The demo's data is of February 2020: pages
    that open on "today" (a lab's queue, days without a new case) open on that day instead."""
    return demo_as_of() or timezone.localdate()


def demo_moment(day: date) -> datetime:
    """The end of the demo's day in the county's time zone."""
    return timezone.make_aware(datetime.combine(day, clock(23, 59)))


def current_code(person, at: datetime | None = None, facts=None) -> CodeResult:
    """A person's code computed now (or at ``at``) from their events and the rules;
    ``facts``: their events up to ``at`` when the caller has read them already.

    In the demo, "now" means both the demo data's day and today: the demo's trips and risk
    areas of February 2020 have long expired by today, while what is recorded live (a fever at
    a gate) happens today. The more severe of the two codes is the live one."""
    if at is None:
        as_of = demo_as_of()
        live = current_code(person, timezone.now(), facts)
        if as_of is None:
            return live
        then = current_code(person, demo_moment(as_of))
        palette = cached_palette()
        severity = {code: colour.severity for code, colour in palette.items()}
        return then if severity.get(then.colour, 0) > severity.get(live.colour, 0) else live
    if facts is None:
        facts = facts_for(person if isinstance(person, int) else person.pk, at)
    return evaluate(facts, ruleset_for(local_day(at)), at)


# ---------------------------------------------------------------------------------------------
# Set-based re-evaluation
# ---------------------------------------------------------------------------------------------


def _p(value):
    """A datetime as the database compares it (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def _plus(column: str, duration: timedelta, params: list) -> str:
    """SQL for ``column + duration`` on the current database, microseconds kept."""
    if connection.vendor == "postgresql":
        params.append(duration)
        return f"({column} + %s)"
    params.append(f"+{duration.days} days")
    return f"(strftime('%%Y-%%m-%%d %%H:%%M:%%S', {column}, %s) || substr({column}, 20))"


def reevaluation_sql(rs: CompiledRuleSet, at: datetime, evaluated_at: datetime):
    """One INSERT … SELECT … ON CONFLICT DO UPDATE over every person: events aggregated per
    person (the latest event of each rule's kind, the latest ending event of each kind), the
    latest override by a window function, the winner chosen by one CASE in rule order."""
    pg = connection.vendor == "postgresql"
    at_p = _p(at)
    agg_cols, agg_params = [], []
    for i, rule in enumerate(rs.rules):
        agg_cols.append(
            f"MAX(CASE WHEN kind = %s AND risk_level = %s THEN occurred_at END) AS s{i}"
        )
        agg_params += [rule.kind, rule.risk_level]
    end_kinds = sorted({r.ended_by for r in rs.rules if r.ended_by})
    for j, kind in enumerate(end_kinds):
        agg_cols.append(f"MAX(CASE WHEN kind = %s THEN occurred_at END) AS e{j}")
        agg_params.append(kind)
    agg_cols.append("COUNT(*) AS n")

    # The active flag of each rule, in rule order.
    act, act_params = [], []
    for i, rule in enumerate(rs.rules):
        cond = [f"a.s{i} IS NOT NULL"]
        if rule.ended_by:
            j = end_kinds.index(rule.ended_by)
            cond.append(f"(a.e{j} IS NULL OR a.e{j} < a.s{i})")
        if not rule.ongoing:
            cond.append(f"a.s{i} > %s")
            act_params.append(_p(at - rule.duration))
        act.append((" AND ".join(cond), list(act_params)))
        act_params = []
    q_idx = next(
        (i for i, r in enumerate(rs.rules) if r.kind == EventKind.QUARANTINE_STARTED), None
    )
    # Which branch wins: -1 the override, i the i-th rule, NULL none.
    win_sql, win_params = ["CASE"], []
    ov_cond = "o.person_id IS NOT NULL"
    if q_idx is not None:
        q_cond, q_params = act[q_idx]
        ov_cond += f" AND NOT (({q_cond}) AND %s > pc.severity)"
        win_params += q_params + [rs.rules[q_idx].colour.severity]
    win_sql.append(f"WHEN {ov_cond} THEN -1")
    for i, (cond, params) in enumerate(act):
        win_sql.append(f"WHEN {cond} THEN {i}")
        win_params += params
    win_sql.append("END")

    colour_sql, reason_sql, since_sql, until_sql = (
        ["CASE w.w WHEN -1 THEN w.ov_colour"],
        ["CASE w.w WHEN -1 THEN %s"],
        ["CASE w.w WHEN -1 THEN w.ov_at"],
        ["CASE w.w WHEN -1 THEN w.ov_ends"],
    )
    sel_params_colour: list = []
    sel_params_reason: list = [OVERRIDE_REASON]
    sel_params_until: list = []
    for i, rule in enumerate(rs.rules):
        colour_sql.append(f"WHEN {i} THEN %s")
        sel_params_colour.append(rule.colour.code)
        reason_sql.append(f"WHEN {i} THEN %s")
        sel_params_reason.append(rule.reason)
        since_sql.append(f"WHEN {i} THEN w.s{i}")
        if rule.ongoing:
            # Expected end while it lies ahead; an overdue one lasts until its ending event.
            check = _plus(f"w.s{i}", rule.duration, sel_params_until)
            sel_params_until.append(at_p)
            until_expr = f"CASE WHEN {check} > %s THEN {_plus(f'w.s{i}', rule.duration, sel_params_until)} END"
        else:
            until_expr = _plus(f"w.s{i}", rule.duration, sel_params_until)
        until_sql.append(f"WHEN {i} THEN {until_expr}")
    for parts in (colour_sql, reason_sql, since_sql, until_sql):
        parts.append("END")

    s_cols = ", ".join(f"a.s{i}" for i in range(len(rs.rules)))
    s_cols = (s_cols + ",") if s_cols else ""
    table = "healthcodes_healthcodestate"
    distinct = "IS DISTINCT FROM" if pg else "IS NOT"
    # Only identifiers and SQL fragments built here are formatted in; every value is a parameter.
    sql = f"""
WITH agg AS (
  SELECT person_id, {", ".join(agg_cols)}
  FROM healthcodes_healthevent
  WHERE occurred_at <= %s
  GROUP BY person_id
), ov AS (
  SELECT person_id, colour, occurred_at, ends_at FROM (
    SELECT person_id, colour, occurred_at, ends_at,
           ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY occurred_at DESC, id DESC) AS rn
    FROM healthcodes_healthevent
    WHERE kind = %s AND occurred_at <= %s
  ) t WHERE rn = 1 AND ends_at > %s
), win AS (
  SELECT a.person_id, {s_cols}
         o.colour AS ov_colour, o.occurred_at AS ov_at, o.ends_at AS ov_ends,
         {" ".join(win_sql)} AS w
  FROM agg a
  LEFT JOIN ov o ON o.person_id = a.person_id
  LEFT JOIN healthcodes_palettecolour pc ON pc.code = o.colour
), res AS (
  SELECT w.person_id,
         {" ".join(colour_sql)} AS colour,
         {" ".join(reason_sql)} AS reason,
         {" ".join(since_sql)} AS since,
         {" ".join(until_sql)} AS until
  FROM win w WHERE w.w IS NOT NULL
)
INSERT INTO {table} (person_id, colour, reason, since, until, ruleset_version, evaluated_at)
SELECT p.id, COALESCE(r.colour, %s), COALESCE(r.reason, %s), r.since, r.until, %s, %s
FROM people_person p LEFT JOIN res r ON r.person_id = p.id
WHERE 1 = 1
ON CONFLICT (person_id) DO UPDATE SET
  colour = excluded.colour, reason = excluded.reason, since = excluded.since,
  until = excluded.until, ruleset_version = excluded.ruleset_version,
  evaluated_at = excluded.evaluated_at
WHERE {table}.colour {distinct} excluded.colour
   OR {table}.reason {distinct} excluded.reason
   OR {table}.since {distinct} excluded.since
   OR {table}.until {distinct} excluded.until
   OR {table}.ruleset_version {distinct} excluded.ruleset_version
"""  # noqa: S608
    params = [
        *agg_params,
        at_p,
        EventKind.MANUAL_OVERRIDE.value,
        at_p,
        at_p,
        *win_params,
        *sel_params_colour,
        *sel_params_reason,
        *sel_params_until,
        rs.default.code,
        NO_RISK_REASON,
        rs.version,
        _p(evaluated_at),
    ]
    return sql, params


def reevaluate_all(at: datetime | None = None, *, travel: bool = True) -> int:
    """Rewrite every person's HealthCodeState as of ``at`` (default now) in one statement
    (after turning new risk-area travel entries into events); returns the number of rows
    inserted or changed."""
    at = at or timezone.now()
    if travel:
        record_travel_arrivals()
    rs = load_ruleset(local_day(at))
    sql, params = reevaluation_sql(rs, at, timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def record_travel_arrivals() -> int:
    """Turn travel entries (people.TravelEntry, from registration, imports or declarations)
    whose origin lay in a risk area on the arrival date into ``risk_area_arrival`` events, in
    one INSERT … SELECT; entries already turned into events are skipped. Returns the number
    of events added."""
    from django.conf import settings as dj_settings

    if connection.vendor == "postgresql":
        arrived = "(t.arrival_date::timestamp AT TIME ZONE %s)"
        tz_params = [dj_settings.TIME_ZONE]
    else:
        # China keeps one offset all year; SQLite stores naive UTC text.
        offset = timezone.localtime(timezone.now()).utcoffset() or timedelta()
        hours = int(offset.total_seconds() // 3600)
        arrived = "datetime(t.arrival_date, %s)"
        tz_params = [f"{-hours:+d} hours"]
    sql = f"""
INSERT INTO healthcodes_healthevent
  (person_id, kind, occurred_at, risk_level, division_code, colour, ends_at, source, detail,
   created_at)
SELECT x.person_id, %s, x.arrived_at, x.level, x.origin_code, '', NULL, %s, %s, %s
FROM (
  SELECT DISTINCT t.person_id, {arrived} AS arrived_at, r.level, t.origin_code
  FROM people_travelentry t
  JOIN healthcodes_riskarea r
    ON t.origin_code LIKE r.code_prefix || '%%'
   AND r.start_date <= t.arrival_date
   AND (r.end_date IS NULL OR r.end_date >= t.arrival_date)
  WHERE length(t.origin_code) = 6
) x
WHERE NOT EXISTS (
  SELECT 1 FROM healthcodes_healthevent e
  WHERE e.person_id = x.person_id AND e.kind = %s AND e.division_code = x.origin_code
    AND e.risk_level = x.level AND e.occurred_at = x.arrived_at
)
"""  # noqa: S608
    kind = EventKind.RISK_AREA_ARRIVAL.value
    params = [kind, "travel", "{}", _p(timezone.now()), *tz_params, kind]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
