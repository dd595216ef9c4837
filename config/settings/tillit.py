"""Tillit's own settings."""

from pathlib import Path

from config.env import env_bool, env_int, env_str
from config.settings.paths import DATA_DIR

# The municipality this installation serves (shown in headers, default for Kolada).
TILLIT_MUNICIPALITY_NAME = env_str("TILLIT_MUNICIPALITY_NAME", "")
# Its Kolada id ("0180" for Stockholm): the benchmarks' "us". Without it, the name above is
# looked up among Kolada's municipalities.
TILLIT_MUNICIPALITY_CODE = env_str("TILLIT_MUNICIPALITY_CODE", "")
# Kolada's v3 API; an operator may point it at a mirror or a proxy.
TILLIT_KOLADA_URL = env_str("TILLIT_KOLADA_URL", "https://api.kolada.se/v3/")
# How many years back `tillit kolada sync` fetches.
TILLIT_KOLADA_YEARS = env_int("TILLIT_KOLADA_YEARS", 10)
# Seconds to wait for one answer from Kolada before trying again.
TILLIT_KOLADA_TIMEOUT = env_int("TILLIT_KOLADA_TIMEOUT", 30)
# How long before a contract's end the start page starts warning (procurement lead time).
TILLIT_CONTRACT_LEAD_MONTHS = env_int("TILLIT_CONTRACT_LEAD_MONTHS", 12)
# Whether a care-data delivery may create recipients that are not yet registered.
TILLIT_CREATE_UNKNOWN_RECIPIENTS = env_bool("TILLIT_CREATE_UNKNOWN_RECIPIENTS", False)
# Whether each import re-computes the quality indicators of the months it touched (as a job).
TILLIT_QUALITY_AUTORUN = env_bool("TILLIT_QUALITY_AUTORUN", True)
# Days a delivered file is kept (it holds identity numbers in clear); `tillit deliveries
# purge-uploads` removes older ones. The deliveries, their reports and the ledger stay.
TILLIT_UPLOAD_RETENTION_DAYS = env_int("TILLIT_UPLOAD_RETENTION_DAYS", 90)

# Static files are served by the app itself (no build step, no CDN); in development the
# finders are used directly so that no collectstatic is needed.
WHITENOISE_USE_FINDERS = True
# `tillit collectstatic` (optional in production) gathers them here.
STATIC_ROOT = Path(env_str("TILLIT_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
