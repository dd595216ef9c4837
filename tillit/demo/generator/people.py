"""Recipients (brukare): pseudonymous ids, fictitious Swedish names, ages and areas."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from .catalogue import AREAS

RECIPIENT_COLUMNS = ("recipient_id", "birth_date", "name", "area", "alarm_customer")

# Common Swedish first names of people born 1925-1960 and common surnames; combined at random,
# so the names are fictitious.
WOMEN = (
    "Anna", "Margareta", "Elisabeth", "Eva", "Birgitta", "Karin", "Kristina", "Marianne", "Ingrid",
    "Barbro", "Gunilla", "Ulla", "Inger", "Maj-Britt", "Gun", "Britt", "Kerstin", "Elsa", "Astrid",
    "Gunnel", "Solveig", "Ingegerd", "Siv", "Rut", "Greta", "Berit", "Ann-Marie", "Lena", "Märta",
    "Sonja", "Viola", "Dagny", "Elvy", "Signe", "Inga", "Majvor", "Gudrun", "Svea", "Aina", "Irma",
)
MEN = (
    "Lars", "Karl", "Erik", "Per", "Bengt", "Sven", "Göran", "Nils", "Gunnar", "Lennart", "Bo",
    "Rolf", "Kjell", "Stig", "Arne", "Olof", "Ingvar", "Åke", "Bertil", "Hans", "Rune", "Leif",
    "Sture", "Gösta", "Tage", "Evert", "Holger", "Allan", "Yngve", "Curt",
)
SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lundgren", "Lundqvist", "Mattsson",
    "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin",
    "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson",
    "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg",
    "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Nordström",
)


@dataclass
class Recipient:
    recipient_id: str
    birth_date: date
    name: str
    area: str
    nursing_home: bool  # one of the extra nursing-home residents
    alarm: bool = False  # set from the decisions (has a safety-alarm intervention)


def _age(rng: random.Random) -> int:
    """Age at `today`: mostly 75-95, a few 65-74, a few under 65, a handful 96-102."""
    u = rng.random()
    if u < 0.04:
        return rng.randint(48, 64)
    if u < 0.15:
        return rng.randint(65, 74)
    if u < 0.97:
        return min(95, max(75, round(rng.triangular(75, 96, 87))))
    return rng.randint(96, 102)


def _birth_date(rng: random.Random, today: date) -> date:
    age = _age(rng)
    latest = date(today.year - age, today.month, min(today.day, 28))  # just turned `age`
    return latest - timedelta(days=rng.randrange(365))


def build_recipients(rng: random.Random, home: int, nursing: int, today: date) -> list[Recipient]:
    """`home` home-care recipients followed by `nursing` nursing-home residents."""
    used: set[str] = set()
    area_codes = [a.code for a in AREAS]
    area_weights = [a.weight for a in AREAS]
    people: list[Recipient] = []
    for n in range(home + nursing):
        while True:
            rid = f"P:{rng.getrandbits(32):08x}"
            if rid not in used:
                used.add(rid)
                break
        first = rng.choice(WOMEN) if rng.random() < 0.65 else rng.choice(MEN)
        name = f"{first} {rng.choice(SURNAMES)}"
        area = rng.choices(area_codes, area_weights)[0]
        people.append(Recipient(rid, _birth_date(rng, today), name, area, n >= home))
    return people


def recipient_rows(people: list[Recipient]) -> list[tuple]:
    return [(p.recipient_id, p.birth_date.isoformat(), p.name, p.area, 1 if p.alarm else 0)
            for p in people]
