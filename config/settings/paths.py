"""Where Tillit keeps its files: the default SQLite database, the ledger and uploads."""

from pathlib import Path

from config.env import env_str

# The working directory's ./var by default, so that `make demo` in a checkout keeps
# everything beside the code; operators point TILLIT_DATA_DIR at a volume.
DATA_DIR = Path(env_str("TILLIT_DATA_DIR", "var")).expanduser().resolve()
UPLOAD_DIR = DATA_DIR / "uploads"
# Files users attach (effect-premium applications); never served directly, only through views
# that check access.
MEDIA_ROOT = UPLOAD_DIR / "attachments"
LEDGER_DIR = DATA_DIR / "ledger"
