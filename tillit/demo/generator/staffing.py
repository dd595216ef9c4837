"""Staff: how many each provider has, their teams per area, rosters and who a recipient prefers.

Staff are spread over the home-care providers in proportion to their planned time. A provider's
recipients are split into teams (per area, about `team_recipients` recipients each; the provider
with poor continuity runs large teams across areas); each team has day and evening staff, and the
provider has one night patrol. A recipient's preference order for a shift is the team's list
rotated to start at their own care contact, so visits land on a small group of familiar faces
unless those are off duty or busy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .providers import Provider

WORK_DAYS = 5  # each staff member works five days in seven, off days rotate through the team


@dataclass
class Staffing:
    ids: list[str] = field(default_factory=list)  # global staff index -> pseudonymous staff id
    on_duty: list[bytearray] = field(default_factory=list)  # by day index % 7
    pools: dict[int, tuple[int, ...]] = field(default_factory=dict)  # provider index -> all staff
    prefs: dict[int, tuple[tuple[int, ...], ...]] = field(default_factory=dict)  # decision key -> per shift


def _apportion(total: int, weights: list[float], minimum: int) -> list[int]:
    """Largest-remainder split of `total` by `weights`, every share at least `minimum`."""
    s = sum(weights) or 1.0
    raw = [total * w / s for w in weights]
    out = [max(minimum, int(r)) for r in raw]
    rest = total - sum(out)
    for i in sorted(range(len(raw)), key=lambda i: int(raw[i]) - raw[i])[:max(0, rest)]:
        out[i] += 1
    return out


def _rotate(members: tuple[int, ...], k: int) -> tuple[int, ...]:
    if not members:
        return members
    k %= len(members)
    return members[k:] + members[:k]


def build_staffing(rng: random.Random, providers: list[Provider], members: dict[int, list],
                   total: int) -> Staffing:
    """`members`: provider index -> [(decision key, area, load per shift [night, day, evening])]."""
    st = Staffing()
    offsets: list[int] = []
    active = [p for p in providers if members.get(p.index)]
    loads = [sum(sum(m[2]) for m in members[p.index]) for p in active]
    counts = _apportion(total, loads, 4)

    def hire(p: Provider, n: int) -> tuple[int, ...]:
        start = len(st.ids)
        known = len(st.pools.get(p.index, ()))
        first = rng.randrange(7)
        for k in range(n):
            st.ids.append(f"S-{p.index}-{known + k + 1:04d}")
            offsets.append((first + 3 * k) % 7)  # spread off days so someone is always on
        new = tuple(range(start, start + n))
        st.pools[p.index] = st.pools.get(p.index, ()) + new
        return new

    for p, count in zip(active, counts):
        rows = sorted(members[p.index], key=lambda m: m[0])
        night_load = sum(m[2][0] for m in rows)
        all_load = sum(sum(m[2]) for m in rows) or 1
        night_n = max(2, round(count * night_load / all_load)) if night_load else 0
        night = hire(p, night_n)
        # teams: per area, or across areas for a provider that runs large teams
        groups: dict[str, list] = {}
        for m in rows:
            groups.setdefault("all" if p.teams_across_areas else m[1], []).append(m)
        teams: list[list] = []
        for group in groups.values():
            n_teams = max(1, round(len(group) / p.team_recipients))
            for t in range(n_teams):
                teams.append(group[t::n_teams])
        team_loads = [sum(m[2][1] + m[2][2] for m in team) for team in teams]
        sizes = _apportion(max(count - night_n, 4 * len(teams)), team_loads, 4)
        for team, size in zip(teams, sizes):
            day_load = sum(m[2][1] for m in team)
            eve_load = sum(m[2][2] for m in team)
            day_n = min(size - 2, max(2, round(size * day_load / ((day_load + eve_load) or 1))))
            day, evening = hire(p, day_n), hire(p, size - day_n)
            for k, m in enumerate(team):
                # the shift's own staff first, then the team's other shift (they cover each other)
                days, evenings = _rotate(day, k), _rotate(evening, k)
                st.prefs[m[0]] = (_rotate(night, k) + evenings, days + evenings, evenings + days)
    for phase in range(7):
        st.on_duty.append(bytearray(1 if (phase + off) % 7 < WORK_DAYS else 0 for off in offsets))
    return st
