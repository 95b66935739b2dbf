"""随手拍 pages by audience: ``citizen`` (filing a report from a project's page, the reporter's own list and
pages, the photos), ``manage`` (officers: the moderation queue, assigning, asking the organization, the finding,
closing; auditors read) and ``org`` (the project's organization: the reports it was asked to answer, and its
answer). One blueprint, ``supervision`` (``supervision/blueprint.py``); importing this package registers every
audience's routes on it."""
from grantportal.supervision.blueprint import bp
from grantportal.supervision.views import citizen, manage, org

__all__ = ["bp", "citizen", "manage", "org"]
