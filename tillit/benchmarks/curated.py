"""The elderly-care KPIs a follow-up unit looks at first (ids and order; titles come from Kolada).

Checked against Kolada's catalogue of March 2026. Beware N21026: it is *not* the home-care
cost but "Kostnad ordinärt boende äldreomsorg övrigt, kr/inv 80+"; the home-care cost per
recipient is N21006.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CURATED: tuple[tuple[object, tuple[str, ...]], ...] = (
    (
        _("Costs"),
        (
            "N21006",  # Kostnad hemtjänst äldreomsorg, kr/hemtjänsttagare
            "N23009",  # Kostnad särskilt boende äldreomsorg, kr/brukare
            "N20900",  # Nettokostnadsavvikelse äldreomsorg (%)
            "N20029",  # Nettokostnadsavvikelse äldreomsorg, mnkr
            "N20007",  # Kostnad äldreomsorg, kr/inv 65+
        ),
    ),
    (
        _("Quality and volume"),
        (
            "U21401",  # Personalkontinuitet, medelvärde (to 2024)
            "U21402",  # Personalkontinuitet, median (to 2024)
            "U21475",  # Brukarbedömning: personalen kommer på avtalad tid
            "N21826",  # Beviljade hemtjänsttimmar per brukare och månad
            "N21600",  # Andel hemtjänsttagare som erbjudits en fast omsorgskontakt
            "N23890",  # Invånare 65+ i särskilda boendeformer, andel
            "N04136",  # Köp av hemtjänst från privata utförare, andel (to 2024)
            "N04138",  # Köp av särskilt boende från privata utförare, andel (to 2024)
        ),
    ),
)

CURATED_IDS: tuple[str, ...] = tuple(kpi for _, ids in CURATED for kpi in ids)

# SKR's kommungrupper (2023 classification) as Kolada's groups.
SKR_GROUP_IDS = frozenset(f"G9278{n}" for n in range(6, 10)) | frozenset(f"G9279{n}" for n in range(0, 5))

# Kolada names its peer groups "Liknande kommuner äldreomsorg, <kommun>, <år>".
PEER_GROUP_PREFIX = "Liknande kommuner äldreomsorg, "
