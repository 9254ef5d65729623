"""Weekly route planning (issue 18): pure, deterministic, without the ORM.

The weekly planner hands over the accounts due that week, most overdue first, and
gets back which day each one is planned on and in which order:

1. *Selection*: the most overdue accounts are kept while the week has room for
   them (the free slots of the days they may be visited on).
2. *Grouping*: the visits with coordinates are grouped into days by location.
   A day starts from the account farthest from the start point (or from the
   visits already planned that day) and takes the nearest accounts to its centre
   until it is full; it closes early when the next account is far away and the
   other days still have room for everything left. Preferred days are hard
   constraints: an account is only placed on one of its days, and a day never
   takes an account when that would leave another one without room (Hall's
   condition over the remaining days, checked on the counts per day mask).
3. *Order*: each day's visits are ordered by nearest neighbour from the start
   point, then improved by 2-opt (closed tour: the KAM comes back).
4. Calls need no travel and accounts without coordinates cannot be routed: both
   fill the free slots left, in the order they came (most overdue first).

Ties are broken by the accounts' keys (ids): the same input gives the same plan.
Distances are great-circle kilometres (haversine, ``geo.distance_m``).
"""

from dataclasses import dataclass, field

from .geo import distance_m

# a day closes early when its next account is farther than this from its centre
# and the other days can take all the rest
SPREAD_KM = 30.0


@dataclass(frozen=True)
class Stop:
    """An account to plan. ``days``: the day indexes it may be planned on (empty:
    any day). ``call``: a call, no travel."""

    key: int
    lat: float | None = None
    lon: float | None = None
    call: bool = False
    days: frozenset = frozenset()

    @property
    def located(self):
        return self.lat is not None and self.lon is not None


@dataclass
class WeekPlan:
    """``days[d]``: the keys planned on day ``d`` in travel order (routed visits
    first, then calls and visits without a location); ``unplanned``: the keys
    left out, most overdue first; ``km[d]``: the day's estimated distance."""

    days: list
    unplanned: list
    km: list = field(default_factory=list)

    @property
    def total_km(self):
        return sum(self.km)


def km(a, b):
    """Great-circle distance in km between two (lat, lon) points."""
    return distance_m(a[0], a[1], b[0], b[1]) / 1000.0


def route_km(start, points):
    """Length of the tour start -> points in order -> start (no start: the open
    path through the points)."""
    if not points:
        return 0.0
    total = sum(km(a, b) for a, b in zip(points, points[1:], strict=False))
    if start is not None:
        total += km(start, points[0]) + km(points[-1], start)
    return total


def order_route(start, stops):
    """The stops in travel order: nearest neighbour from the start point (from the
    stop of lowest key without one), then 2-opt until no exchange shortens the
    tour."""
    if len(stops) <= 1:
        return list(stops)
    remaining = sorted(stops, key=lambda s: s.key)
    if start is None:
        current = remaining.pop(0)
        route = [current]
        here = (current.lat, current.lon)
    else:
        route, here = [], start
    while remaining:
        nearest = min(remaining, key=lambda s: (km(here, (s.lat, s.lon)), s.key))
        remaining.remove(nearest)
        route.append(nearest)
        here = (nearest.lat, nearest.lon)
    return _two_opt(start, route)


def _two_opt(start, route):
    """2-opt on the closed tour from the start point (node 0), or on the open
    path from the first stop without one: the first node stays first."""
    nodes = ([start] if start is not None else []) + [(s.lat, s.lon) for s in route]
    closed = start is not None
    n = len(nodes)
    dist = [[km(a, b) for b in nodes] for a in nodes]
    order = list(range(n))
    improved = True
    while improved:
        improved = False
        for i in range(1, n - 1):
            for j in range(i + 1, n):
                a, b, c = order[i - 1], order[i], order[j]
                d = order[(j + 1) % n] if closed or j + 1 < n else None
                before = dist[a][b] + (dist[c][d] if d is not None else 0.0)
                after = dist[a][c] + (dist[b][d] if d is not None else 0.0)
                if after < before - 1e-9:
                    order[i : j + 1] = reversed(order[i : j + 1])
                    improved = True
    offset = 1 if closed else 0
    return [route[index - offset] for index in order[offset:]]


def _mask(stop, day_count):
    mask = 0
    for day in stop.days or range(day_count):
        if 0 <= day < day_count:
            mask |= 1 << day
    return mask


def _feasible(counts, free):
    """Hall's condition: every set of days has room for the stops that may only
    go on those days. ``counts``: {day mask: stops}; ``free``: free slots per day.
    The tight sets are unions of the masks: those are tried (or every set of days
    when there are many masks)."""
    masks = [mask for mask, count in counts.items() if count > 0]
    if not masks:
        return True
    if len(masks) == 1:
        [mask] = masks
        return counts[mask] <= _room(free, mask)
    if len(masks) <= len(free):
        unions = {0}
        for mask in masks:
            unions |= {union | mask for union in unions}
        unions.discard(0)
    else:
        unions = range(1, 1 << len(free))
    for union in unions:
        need = sum(
            count for mask, count in counts.items() if count and mask & ~union == 0
        )
        if need > _room(free, union):
            return False
    return True


def _room(free, mask):
    return sum(slots for day, slots in enumerate(free) if mask >> day & 1)


def _add(counts, mask, delta):
    counts = dict(counts)
    counts[mask] = counts.get(mask, 0) + delta
    return counts


def _centre(points):
    """The mean of (lat, lon) points: good enough within a region."""
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def plan_week(stops, capacity, start=None, anchors=None):
    """Plan ``stops`` (most overdue first) on ``len(capacity)`` days.

    ``capacity[d]``: the free slots of day ``d`` (the daily maximum less the
    visits already planned that day); ``start``: (lat, lon) of the start point or
    None; ``anchors[d]``: the (lat, lon) of the visits already planned on day
    ``d``: that day's grouping starts from them."""
    day_count = len(capacity)
    anchors = {day: points for day, points in (anchors or {}).items() if points}
    # 1. selection: the most overdue, while they fit
    mask_of, selected, unplanned, counts = {}, [], [], {}
    for stop in stops:
        mask = _mask(stop, day_count)
        trial = _add(counts, mask, 1)
        if mask and _feasible(trial, capacity):
            counts = trial
            mask_of[stop.key] = mask
            selected.append(stop)
        else:
            unplanned.append(stop.key)
    free = list(capacity)
    days = [[] for _day in range(day_count)]
    routed = [stop for stop in selected if stop.located and not stop.call]
    others = [stop for stop in selected if not stop.located or stop.call]
    # 2. grouping: the days with visits planned already first, then in order
    for day in sorted(range(day_count), key=lambda d: (d not in anchors, d)):
        members = _fill_day(day, routed, mask_of, counts, free, start, anchors)
        for stop in members:
            routed.remove(stop)
        # the routed visits left may no longer go on this day
        for stop in routed:
            old = mask_of[stop.key]
            if old >> day & 1:
                counts = _add(_add(counts, old, -1), old & ~(1 << day), 1)
                mask_of[stop.key] = old & ~(1 << day)
        # 3. travel order
        days[day] = order_route(start, members)
    unplanned += [stop.key for stop in routed]  # none after the checks; kept safe
    # 4. calls and accounts without a location fill the free slots, where most
    # room is left
    for stop in others:
        mask = mask_of[stop.key]
        rest = _add(counts, mask, -1)
        choices = sorted(
            (d for d in range(day_count) if mask >> d & 1 and free[d] > 0),
            key=lambda d: (-free[d], d),
        )
        day = next(
            (
                d
                for d in choices
                if _feasible(rest, [f - (i == d) for i, f in enumerate(free)])
            ),
            None,
        )
        if day is None:
            unplanned.append(stop.key)
            continue
        counts = rest
        free[day] -= 1
        days[day].append(stop)
    return WeekPlan(
        days=[[stop.key for stop in day] for day in days],
        unplanned=unplanned,
        km=[
            route_km(start, [(s.lat, s.lon) for s in day if s.located and not s.call])
            for day in days
        ],
    )


def _fill_day(day, routed, mask_of, counts, free, start, anchors):
    """The routed visits of ``day``: from its seed (the visits planned already, or
    the account farthest from the start), the nearest to the day's centre while
    the day has room and every stop left still fits. ``counts`` and ``free`` are
    updated in place."""
    bit = 1 << day
    members = []
    far = {
        stop.key: km(start, (stop.lat, stop.lon)) if start is not None else 0.0
        for stop in routed
    }
    anchor = anchors.get(day, [])
    taken = set()
    centre = _centre(anchor) if anchor else None
    while free[day] > 0:
        candidates = [
            stop for stop in routed if mask_of[stop.key] & bit and stop.key not in taken
        ]
        if not candidates:
            break
        # those with no other day left come first
        forced = [stop for stop in candidates if mask_of[stop.key] == bit]
        pool = forced or candidates
        if centre is None:
            pool.sort(key=lambda s: (-far[s.key], s.key))
        else:
            pool.sort(key=lambda s: (km(centre, (s.lat, s.lon)), s.key))
        after = [f - (d == day) for d, f in enumerate(free)]
        chosen = next(
            (
                stop
                for stop in pool
                if _feasible(_add(counts, mask_of[stop.key], -1), after)
            ),
            None,
        )
        if chosen is None:
            break
        if (
            not forced
            and centre is not None
            and km(centre, (chosen.lat, chosen.lon)) > SPREAD_KM
            and _closable(day, routed, members, mask_of, counts, free)
        ):
            break
        members.append(chosen)
        taken.add(chosen.key)
        counts.update(_add(counts, mask_of[chosen.key], -1))
        free[day] -= 1
        centre = _centre([(s.lat, s.lon) for s in members] + list(anchor))
    return members


def _closable(day, routed, members, mask_of, counts, free):
    """Whether ``day`` may close now: the routed visits not on it fit in the
    other days (the calls may still take its free slots)."""
    bit = 1 << day
    trial = dict(counts)
    for stop in routed:
        mask = mask_of[stop.key]
        if stop in members or not mask & bit:
            continue
        if mask == bit:
            return False
        trial = _add(_add(trial, mask, -1), mask & ~bit, 1)
    return _feasible(trial, free)


def overdue_first(stops, capacity, start=None):
    """The plan of the former planner, for comparison: the stops in the order
    they came, day after day, each day visited in that order."""
    days, index = [], 0
    for slots in capacity:
        days.append(list(stops[index : index + slots]))
        index += slots
    return WeekPlan(
        days=[[stop.key for stop in day] for day in days],
        unplanned=[stop.key for stop in stops[index:]],
        km=[
            route_km(start, [(s.lat, s.lon) for s in day if s.located and not s.call])
            for day in days
        ],
    )
