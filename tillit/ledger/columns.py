"""The visit file's columns (DATA-FORMATS.md) and its vocabularies, English and Swedish."""

from tillit.common.tabular import Column

VISIT_COLUMNS = (
    Column("visit_id", "besöks-id"),
    Column("provider_org_number", "utförare orgnr", required=False),
    Column("unit_code", "enhet", required=False),
    Column("recipient_id", "personnummer"),
    Column("staff_id", "personal-id", required=False),
    Column("planned_start", "planerad start"),
    Column("planned_end", "planerad slut"),
    Column("registered_start", "registrerad start", required=False),
    Column("registered_end", "registrerad slut", required=False),
    Column("intervention_codes", "insatskoder"),
    Column("double_staffing", "dubbelbemanning", required=False),
    Column("status", "status", required=False),
    Column("registration_method", "registreringssätt", required=False),
)
NAMES = tuple(column.name for column in VISIT_COLUMNS)

STATUS_WORDS = {
    "": "performed", "performed": "performed", "utförd": "performed", "utford": "performed",
    "declined": "declined", "avböjd": "declined", "avbojd": "declined",
    "cancelled": "cancelled", "canceled": "cancelled", "inställd": "cancelled", "installd": "cancelled",
    "missed": "missed", "missad": "missed",
}
METHOD_WORDS = {
    "": "", "nfc": "nfc", "app": "app", "manual": "manual", "manuell": "manual",
}
BOOLEAN_WORDS = {
    "": False, "0": False, "nej": False, "no": False, "false": False, "falskt": False,
    "1": True, "ja": True, "yes": True, "true": True, "sant": True, "x": True,
}

# A performed visit longer than this is a registration error, not care.
MAX_VISIT_HOURS = 16
# Overlaps of one staff member's visits up to this long are normal hand-over slack.
OVERLAP_TOLERANCE_MINUTES = 5
