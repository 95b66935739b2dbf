"""What the suite does thousands of times and production once: made cheap for the tests only.

Every test builds its own app (``create_app``), so each test used to parse werkzeug's URL rules and compile
their builders for ~550 routes (~0.14 s) and every Jinja template it renders (~0.02 s each); every sign-in
checked an argon2 hash with production parameters (~0.12 s). Measured together ≈ 0.25 s of a typical test.
Nothing here changes what a request does: the same rules, builders, templates and argon2id checks, made once
and reused."""
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

_rules = {}
_compile_rule = Rule.compile
_get_converter = Rule.get_converter


def _recording_get_converter(self, variable_name, converter_name, args, kwargs):
    specs = self.__dict__.get("_gp_converter_specs")
    if specs is not None:
        specs.append((variable_name, converter_name, args, kwargs))
    return _get_converter(self, variable_name, converter_name, args, kwargs)


def _shared_compile(self):
    """werkzeug parses each rule's text into its regex parts for every new app (~220 rules, ~60 ms an app): the
    parts, trace and converter arguments found for the first app are reused; each app still gets converter
    objects of its own map and its own builders (``_shared_builder``)."""
    domain = (self.host if self.map.host_matching else self.subdomain) or ""
    key = (self.rule, domain, self.merge_slashes, tuple(sorted((n, id(c)) for n, c in self.map.converters.items())))
    known = _rules.get(key)
    if known is None:
        self._gp_converter_specs = []
        _compile_rule(self)
        _rules[key] = (tuple(self._parts), tuple(self._trace), tuple(self._gp_converter_specs))
        del self._gp_converter_specs
        return
    parts, trace, specs = known
    self._parts, self._trace = list(parts), list(trace)
    self._converters = {}
    for name, converter, args, kwargs in specs:
        self._converters[name] = self.get_converter(name, converter, args, kwargs)
        self.arguments.add(name)
    self._build = self._compile_builder(False).__get__(self, None)
    self._build_unknown = self._compile_builder(True).__get__(self, None)


Rule.get_converter = _recording_get_converter
Rule.compile = _shared_compile
