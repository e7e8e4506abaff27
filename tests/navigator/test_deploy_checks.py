"""Production settings, checked the way a deployment runs them: a fresh process, env vars only."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "navigator.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60)[:60],
        "DATA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "navigator.example.nhs.uk",
        "SITE_URL": "https://navigator.example.nhs.uk",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks_without_a_warning(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", env=production_env(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = manage("check", env=production_env(tmp_path, SECRET_KEY="too-short"))
    assert result.returncode != 0
    assert "SECRET_KEY must be a random value" in result.stderr


def test_every_model_change_has_its_migration(tmp_path):
    env = production_env(tmp_path, DEBUG="true", SECRET_KEY=None)
    result = manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
