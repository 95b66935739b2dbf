"""Service catalogue pages by audience: ``public`` (the years and a year's published catalogues with what was
bought under each item) and ``manage`` (officers compile, correct and publish a year's catalogues; auditors
read). One blueprint, ``catalogue`` (``catalogue/blueprint.py``); importing this package registers every
audience's routes."""
from grantportal.catalogue.blueprint import bp
from grantportal.catalogue.views import manage, public

__all__ = ["bp", "manage", "public"]
