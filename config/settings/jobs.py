"""Background jobs: Huey, on a SQLite file by default (no server), on Redis when configured.

Run the worker with `tillit worker` (the demo's `tillit serve` starts one beside the web server).
"""

from config.env import env_int, env_str
from config.settings.paths import DATA_DIR

_queue = env_str("TILLIT_QUEUE_URL", "")
if _queue.startswith("redis://") or _queue.startswith("rediss://"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "tillit",
        "url": _queue,
        "immediate": False,
        "consumer": {"workers": env_int("TILLIT_WORKERS", 2), "worker_type": "thread"},
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tillit",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("TILLIT_WORKERS", 1), "worker_type": "thread"},
    }
