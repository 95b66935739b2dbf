"""Public pledge pages by audience: ``citizen`` (pledging from a project's page, the pledger's own list and pages,
withdrawing), ``org`` (the project's organization: the pledges to its projects, confirming receipt with evidence,
the evidence) and ``manage`` (officers: the queue, verifying or returning; auditors read). One blueprint,
``pledges`` (``pledges/blueprint.py``); importing this package registers every audience's routes on it."""
from grantportal.pledges.blueprint import bp
from grantportal.pledges.views import citizen, manage, org

__all__ = ["bp", "citizen", "manage", "org"]
