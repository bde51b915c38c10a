"""dash_app.settings: the configuration is read once, config beats environment, bad values are a sentence."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dash_app.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def test_config_beats_environment_and_defaults_follow_the_data_folder(tmp_path):
    env = {"HAMYAR_DATA": str(tmp_path), "REDIS_URL": "redis://env:6379/0", "SECRET_KEY": "from-env",
           "DATABASE_URL": "postgresql://u@h/db", "HAMYAR_PROXIES": "2", "HAMYAR_HTTPS": "1",
           "HAMYAR_AUDIT_KEY": "a" * 32}
    s = Settings.load({"REDIS_URL": "redis://config:6379/1"}, env)
    assert s.environment == "production" and s.secret_key == "from-env"
    assert s.redis_url == "redis://config:6379/1" and s.background == "celery"
    assert s.ratelimit_storage == "redis://config:6379/1"
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert s.proxies == 2 and s.https
    bare = Settings.load({"TESTING": True}, {"HAMYAR_DATA": str(tmp_path)})
    assert bare.testing and bare.background == "diskcache" and bare.ratelimit_storage == "memory://"
    assert bare.database_url == f"sqlite:///{tmp_path.resolve() / 'hamyar.sqlite3'}"
    assert bare.jobs_folder == tmp_path.resolve() / "jobs"


@pytest.mark.parametrize("env,needle", [
    ({}, "SECRET_KEY must be set in production"),
    ({"SECRET_KEY": "k", "HAMYAR_ENV": "staging"}, "HAMYAR_ENV must be one of"),
    ({"SECRET_KEY": "k", "HAMYAR_BACKGROUND": "threads"}, "HAMYAR_BACKGROUND must be"),
    ({"SECRET_KEY": "k", "HAMYAR_BACKGROUND": "celery"}, "needs REDIS_URL"),
    ({"SECRET_KEY": "k", "HAMYAR_PROXIES": "two"}, "HAMYAR_PROXIES must be a whole number"),
])
def test_bad_configuration_is_one_sentence(env, needle):
    with pytest.raises(SettingsError, match=needle):
        Settings.load({}, env)


def test_development_and_tests_run_without_a_secret_key():
    assert Settings.load({}, {"HAMYAR_ENV": "development"}).secret_key is None
    assert Settings.load({}, {}, default_environment="development").environment == "development"
    assert Settings.load({"TESTING": True}, {}).secret_key is None


def test_wsgi_refuses_to_start_without_a_secret_key(tmp_path):
    """Production's entry point, in a clean environment: one sentence, no server with a made-up key."""
    env = {"PATH": "/usr/bin:/bin", "HAMYAR_DATA": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", "import dash_app.wsgi"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "SECRET_KEY must be set in production" in proc.stderr
    assert not (tmp_path / "secret_key").exists()


def test_voting_without_an_account_is_off_unless_chosen():
    from dash_app.settings import Settings

    assert Settings.load({"TESTING": True}, environ={}).census_voting is True
    assert Settings.load({"TESTING": True, "HAMYAR_CENSUS_VOTING": "0"}, environ={}).census_voting is False
