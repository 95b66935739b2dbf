"""Satisfaction survey pages by audience: ``citizen`` (answering a survey on a phone) and ``manage`` (officers open
and close surveys on a project; staff and the project's organization read the results and print the QR code page).
One blueprint, ``surveys`` (``surveys/blueprint.py``); importing this package registers every audience's routes."""
from grantportal.surveys.blueprint import bp
from grantportal.surveys.views import citizen, manage

__all__ = ["bp", "citizen", "manage"]
