"""专家库 pages by audience: ``manage`` (officers: the pool, profiles, conflicts they set or withdraw) and
``own`` (the expert: profile, affiliations, declared conflicts). One blueprint, ``experts``
(``experts/blueprint.py``); importing this package registers both audiences' routes on it."""
from grantportal.experts.blueprint import bp
from grantportal.experts.views import manage, own

__all__ = ["bp", "manage", "own"]
