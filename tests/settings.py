"""Settings for the test suite: the project's own, with a throw-away data
directory and background jobs run immediately in the calling thread."""

import os
import tempfile

os.environ.setdefault("VENTANILLA_DATA_DIR", tempfile.mkdtemp(prefix="ventanilla-test-"))
os.environ["HUEY_IMMEDIATE"] = "1"
# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by the same tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from ventanilla.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
