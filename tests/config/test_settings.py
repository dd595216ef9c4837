"""Configuration comes from the environment and fails loudly; production passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, local_secret

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "kanske")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_env_secret_reads_a_file_and_refuses_both(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    assert env_secret("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_SECRET", "other")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_secret("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_secret("X_SECRET")


def test_local_secret_is_created_once_and_private(tmp_path):
    path = tmp_path / "key"
    first = local_secret(path)
    assert local_secret(path) == first and len(first) > 40
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def _manage(args, **env):
    inherited = ("DATABASE_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in inherited}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        TILLIT_PRODUCTION="1",
        SECRET_KEY="x" * 60 + "-production-like-secret-with-entropy-0123456789",
        TILLIT_PERSONAL_DATA_KEY="another-long-secret-for-personal-data-0123456789",
        ALLOWED_HOSTS="tillit.kommun.example",
        TILLIT_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(tmp_path):
    result = _manage(["check"], TILLIT_PRODUCTION="1", TILLIT_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug(tmp_path):
    result = _manage(["check"], TILLIT_PRODUCTION="1", DEBUG="1", SECRET_KEY="x" * 60, TILLIT_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_a_malformed_database_url_is_an_error(tmp_path):
    result = _manage(["check"], DATABASE_URL="nonsense://", TILLIT_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
