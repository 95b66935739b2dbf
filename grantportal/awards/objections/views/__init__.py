"""Objection (异议) pages by audience: ``member`` (the objector: filing, their own list and pages, the
evidence downloads) and ``manage`` (officers: a call's objections, investigation and outcome). One
blueprint, ``objections`` (``awards/objections/blueprint.py``); importing this package registers both
audiences' routes on it."""
from grantportal.awards.objections.blueprint import bp
from grantportal.awards.objections.views import manage, member

__all__ = ["bp", "manage", "member"]
