"""Issue 18 item 16: no debugger open to the network, and no password from the lists of the most used ones."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dash_app.cli import is_loopback
from models.accounts.users import check_password_strength, common_passwords
from models.core.errors import ValidationError


def _serve(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HAMYAR_DATA=str(tmp_path / "data"), HAMYAR_ENV="development")
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "dash_app.cli", "serve", *args], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "hamyar.example.org", "[::]"])
def test_debug_on_a_host_others_reach_is_refused(tmp_path, host):
    """Before: Werkzeug's debugger (which runs any code sent to it) was served on 0.0.0.0."""
    done = _serve(tmp_path, "--debug", "--host", host, "--port", "1")
    assert done.returncode != 0
    assert "--debug only on a loopback host" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "data" / "hamyar.sqlite3").exists()  # refused before touching anything


def test_loopback_hosts():
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.org", ""):
        assert not is_loopback(host), host


@pytest.mark.parametrize("password", ["sunshine1", "trustno1", "princess1", "superman", "football", "baseball",
                                      "P@ssw0rd", "qwerty123", "iloveyou", "letmein1", "۱۲۳۴۵۶۷۸۹"])
def test_common_and_breached_passwords_are_refused(password):
    """From zxcvbn's list of the 30,000 most used passwords (leaked dumps); before: 20 hard-coded ones."""
    with pytest.raises(ValidationError) as err:
        check_password_strength(password, login="someone@example.org", name="Someone")
    assert err.value.code == "password_too_common"


def test_the_list_is_the_packaged_one_and_good_passwords_pass():
    listed = common_passwords()
    assert len(listed) >= 30_000
    long_ones = sorted(p for p in listed if len(p) >= 8)
    assert len(long_ones) > 11_000  # every one of them is refused (8 characters is the minimum)
    for password in long_ones[::997]:
        with pytest.raises(ValidationError):
            check_password_strength(password)
    for good in ("Amol-1405-demo", "بهار در آمل ۱۴۰۵", "correct horse battery staple", "zK7#pq2!mW"):
        check_password_strength(good, login="someone@example.org", name="Someone")
