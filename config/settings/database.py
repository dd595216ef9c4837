"""The system of record: SQLite in the data directory unless DATABASE_URL says otherwise."""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_str
from config.settings.paths import DATA_DIR

_url = env_str("DATABASE_URL", "")
if _url:
    try:
        _default = dj_database_url.parse(_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from None
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _default = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "tillit.sqlite3",
        # Keep a worker's connection between requests (opening one and its pragmas costs ~0.5 ms).
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        # WAL lets the web process read while a worker writes.
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20},
    }

DATABASES = {"default": _default}
