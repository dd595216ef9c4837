"""Secrets, hosts and the hardening that production turns on.

TILLIT_PRODUCTION=1 switches on HTTPS-only cookies, HSTS and the redirect to HTTPS, and
requires every secret to be given explicitly; without it the demo runs safely on
127.0.0.1 with secrets generated into the data directory.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, local_secret
from config.settings.base import DEBUG
from config.settings.paths import DATA_DIR

PRODUCTION = env_bool("TILLIT_PRODUCTION", False)

if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when TILLIT_PRODUCTION=1.")


def _secret(name: str, fallback_file: str) -> str:
    value = env_secret(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"Set {name} (or {name}_FILE) when TILLIT_PRODUCTION=1.")
    return local_secret(DATA_DIR / fallback_file)


SECRET_KEY = _secret("SECRET_KEY", "secret_key")
# Encrypts personal identity numbers and names and keys their look-up hash. Kept apart
# from SECRET_KEY so that rotating sessions never makes stored numbers unreadable.
PERSONAL_DATA_KEY = _secret("TILLIT_PERSONAL_DATA_KEY", "personal_data_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("TILLIT_SESSION_SECONDS", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if env_bool("TILLIT_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
