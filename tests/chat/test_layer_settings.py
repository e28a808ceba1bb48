"""With Redis, live chat events travel by publish/subscribe, whose channels
ignore Redis's database number: each deployment's prefix comes from its own
secret key, so two sites sharing a Redis server never hear each other, and
every process of one site (same SECRET_KEY) shares it."""

import json
import os
import subprocess
import sys

from .. import services

PRINT_LAYER = ("import json; from django.conf import settings; "
               "print(json.dumps(settings.CHANNEL_LAYERS['default']))")


def layer_with(tmp_path, secret_key: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
           "REDIS_URL": services.redis_url(12), "SECRET_KEY": secret_key,
           "VENTANILLA_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + PRINT_LAYER],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_each_deployment_has_its_own_publish_subscribe_prefix(tmp_path):
    one, same, other = (layer_with(tmp_path, key) for key in ("clave-a", "clave-a", "clave-b"))
    assert one["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert one["CONFIG"]["prefix"] == same["CONFIG"]["prefix"]
    assert one["CONFIG"]["prefix"] != other["CONFIG"]["prefix"]
    assert "clave" not in one["CONFIG"]["prefix"]
