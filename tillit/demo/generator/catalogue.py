"""The demo municipality's intervention catalogue and geographic areas (static reference data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intervention:
    """One row of the intervention catalogue (insatskatalog)."""

    code: str
    name: str
    category: str  # omvardnad | service | other
    minutes: int  # standard minutes (schablontid) per occasion
    kind: str = "regular"  # regular | safety_alarm | meal_delivery | hsl


# Standard minutes are the real public schablons transcribed in
# ../shared/data/hemtjanst/schablontider_transcribed.csv (read at development time, not at run time):
#   Solna 2024 (paid service schablons): Inköp 60, Apoteksärende 45, Städ 96, Tvätt 86,
#     Sopsortering 30, Matdistribution 20, Utfört trygghetsbesök 15.
#   Kristianstad (assessment schablons): Morgonhjälp 15, Middagshjälp 15, Kvällshjälp 15,
#     Natthjälp 5, Dusch 40, Egenvård 10, Promenad/social kontakt 45, Lättstäd/golvvård 30.
# Marked "estimate" where no public schablon was found.
INTERVENTIONS: tuple[Intervention, ...] = (
    Intervention("MORG", "Morgonhjälp", "omvardnad", 15),  # Kristianstad
    Intervention("LUNCH", "Middagshjälp (lunch)", "omvardnad", 15),  # Kristianstad
    Intervention("KVALL", "Kvällshjälp", "omvardnad", 15),  # Kristianstad
    Intervention("NATT", "Natthjälp (tillsyn natt)", "omvardnad", 5),  # Kristianstad
    Intervention("TRYGG", "Trygghetsbesök", "omvardnad", 15),  # Solna
    Intervention("DUSCH", "Dusch", "omvardnad", 40),  # Kristianstad
    Intervention("EGENV", "Hjälp med egenvård", "omvardnad", 10),  # Kristianstad
    Intervention("PROM", "Promenad och social kontakt", "omvardnad", 45),  # Kristianstad
    Intervention("INK", "Inköp", "service", 60),  # Solna
    Intervention("APO", "Apoteksärende", "service", 45),  # Solna
    Intervention("STAD", "Städning", "service", 96),  # Solna
    Intervention("LSTAD", "Lättstäd och golvvård", "service", 30),  # Kristianstad
    Intervention("TVATT", "Tvätt", "service", 86),  # Solna
    Intervention("SOP", "Sopsortering", "service", 30),  # Solna
    Intervention("MAT", "Matdistribution", "service", 20, "meal_delivery"),  # Solna
    Intervention("LARM", "Trygghetslarm", "other", 0, "safety_alarm"),  # monthly fee, no time
    Intervention("HSL", "Delegerad läkemedelsöverlämning (HSL)", "other", 5, "hsl"),  # estimate
    Intervention("LEDS", "Ledsagning", "other", 60),  # estimate
    Intervention("AVLOS", "Avlösning i hemmet", "other", 60),  # estimate
    Intervention("BOENDE", "Vård- och omsorgsboende (särskilt boende)", "other", 0, "nursing_home"),  # per day
)

BY_CODE: dict[str, Intervention] = {i.code: i for i in INTERVENTIONS}
ORDER: dict[str, int] = {i.code: n for n, i in enumerate(INTERVENTIONS)}

INTERVENTION_COLUMNS = ("code", "name", "category", "minutes", "kind", "valid_from", "valid_to")


@dataclass(frozen=True)
class Area:
    """A geographic area of the municipality; the zone drives zone-based rates."""

    code: str
    name: str
    zone: str  # tatort | villaomrade | landsbygd
    weight: float  # share of the municipality's recipients living there


AREAS: tuple[Area, ...] = (
    Area("centrum", "Tillby centrum", "tatort", 0.30),
    Area("norr", "Norra Tillby", "tatort", 0.22),
    Area("sjoangen", "Sjöängen", "villaomrade", 0.15),
    Area("ekbacken", "Ekbacken", "villaomrade", 0.13),
    Area("bjorkvik", "Björkvik", "landsbygd", 0.12),
    Area("hagaby", "Hagaby", "landsbygd", 0.08),
)

AREA_COLUMNS = ("code", "name", "zone")
ZONE_OF: dict[str, str] = {a.code: a.zone for a in AREAS}


def intervention_rows(valid_from: str) -> list[tuple]:
    """Catalogue rows; every intervention valid from `valid_from` and open-ended."""
    return [(i.code, i.name, i.category, i.minutes, i.kind, valid_from, "") for i in INTERVENTIONS]


def area_rows() -> list[tuple]:
    return [(a.code, a.name, a.zone) for a in AREAS]
