import logging
import time

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from grantportal.core.db import db  # noqa: F401

migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
log = logging.getLogger("grantportal.ratelimit")


class StricterFallback:
    """The rate limiter used while the shared storage (Redis) cannot be reached (``RATELIMIT_IN_MEMORY_FALLBACK_
    ENABLED``): counts in this process's memory, each limit cut to 1/``factor`` (at least 1), because every app
    process now counts alone — with ``factor`` processes the site as a whole stays within the shared limit. Says so
    in the log once per outage (again after ``QUIET`` seconds of use)."""

    QUIET = 300

    def __init__(self, inner, factor):
        self.inner, self.factor, self.warned_at = inner, max(1, int(factor)), None

    def _stricter(self, item):
        self._warn()
        return type(item)(max(1, item.amount // self.factor), item.multiples, item.namespace)

    def _warn(self):
        now = time.monotonic()
        if self.warned_at is None or now - self.warned_at > self.QUIET:
            log.warning("rate limit storage unreachable: limits counted in this process only, at 1/%s", self.factor)
        self.warned_at = now

    def hit(self, item, *identifiers, cost=1):
        return self.inner.hit(self._stricter(item), *identifiers, cost=cost)

    def test(self, item, *identifiers, cost=1):
        return self.inner.test(self._stricter(item), *identifiers, cost=cost)

    def get_window_stats(self, item, *identifiers):
        return self.inner.get_window_stats(self._stricter(item), *identifiers)

    def clear(self, item, *identifiers):
        return self.inner.clear(self._stricter(item), *identifiers)


def init_limiter(app):
    limiter.init_app(app)
    limiter._storage_dead = False  # a new app starts with its storage reachable (Flask-Limiter keeps it per limiter)
    fallback = getattr(limiter, "_fallback_limiter", None)  # Flask-Limiter's in-memory limiter (4.x), if enabled
    if fallback is not None and not isinstance(fallback, StricterFallback):
        limiter._fallback_limiter = StricterFallback(fallback, app.config["RATELIMIT_FALLBACK_FACTOR"])
