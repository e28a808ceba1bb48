"""SITE_URL (the links in emails) follows HOST and PORT unless set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def site_url(tmp_path, **env) -> str:
    """settings.SITE_URL as a fresh process computes it from this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT"}}
    clean.update(VENTANILLA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="ventanilla.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c",
         "import json, django; django.setup(); from django.conf import settings; "
         "print(json.dumps([settings.SITE_URL, settings.CONTENT_SECURITY_POLICY"
         "['DIRECTIVES']['connect-src']]))"],
        cwd=ROOT, env=clean, capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    url, connect_src = json.loads(out.strip().splitlines()[-1])
    ws_origin = url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    assert ws_origin in connect_src  # the chat socket's CSP follows
    return url


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "8801"}, "http://127.0.0.1:8801"),
    ({"HOST": "0.0.0.0", "PORT": "8801"}, "http://127.0.0.1:8801"),
    ({"HOST": "::", "PORT": "9000"}, "http://localhost:9000"),
    ({"HOST": "::1"}, "http://[::1]:8000"),
    ({"HOST": "soporte.local", "PORT": "8080"}, "http://soporte.local:8080"),
    ({"PORT": "8801", "SITE_URL": "https://soporte.example.com/"}, "https://soporte.example.com"),
])
def test_site_url_follows_host_and_port_unless_set(tmp_path, env, expected):
    assert site_url(tmp_path, **env) == expected



def test_serve_port_on_the_command_line_counts_as_port(monkeypatch, settings):
    """`ventanilla serve --port 8801`: the consumer it starts and this
    process link to 8801 too."""
    from ventanilla.core.management.commands.serve import follow_listen_address

    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("PORT", "8000")
    monkeypatch.setenv("HOST", "127.0.0.1")
    follow_listen_address("0.0.0.0", 8801)
    assert os.environ["PORT"] == "8801" and os.environ["HOST"] == "0.0.0.0"
    assert settings.SITE_URL == "http://127.0.0.1:8801"

    monkeypatch.setenv("SITE_URL", "https://soporte.example.com")
    settings.SITE_URL = "https://soporte.example.com"
    follow_listen_address("127.0.0.1", 9000)
    assert settings.SITE_URL == "https://soporte.example.com"
