"""What the suite does thousands of times and production once: made cheap for the tests only.

Every test builds its own app (``create_app``), so each test used to compile werkzeug's URL builders for
~550 routes (~0.08 s) and every Jinja template it renders (~0.02 s each); every sign-in checked an argon2
hash with production parameters (~0.12 s). Measured together ≈ 0.2 s of a typical test. Nothing here
changes what a request does: the same builders, templates and argon2id checks, made once and reused."""
import flask
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule

from grantportal.accounts.passwords import use_hasher

use_hasher(PasswordHasher.from_parameters(CHEAPEST))


class _SharedTemplates(BytecodeCache):
    """Compiled templates kept in memory for every app of this test process (keyed by template and source
    checksum, as Jinja's file cache is)."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


flask.Flask.jinja_options = {**flask.Flask.jinja_options, "bytecode_cache": _SharedTemplates()}

_builders = {}
_compile_builder = Rule._compile_builder


def _shared_builder(self, append_unknown=True):
    """werkzeug's URL builder for a rule depends only on its parsed parts, defaults and converters: the
    function compiled for the first app is reused by every later one (it reads the rule's own converters
    through ``self`` when called)."""
    converters = tuple(sorted((name, type(c).__name__, repr(sorted((k, v) for k, v in vars(c).items() if k != "map")))
                              for name, c in self._converters.items()))
    key = (tuple(self._trace), append_unknown, repr(sorted((self.defaults or {}).items())), converters)
    built = _builders.get(key)
    if built is None:
        built = _builders[key] = _compile_builder(self, append_unknown)
    return built


Rule._compile_builder = _shared_builder
