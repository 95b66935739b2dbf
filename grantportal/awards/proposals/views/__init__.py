"""Award-proposal pages by audience: ``manage`` (officers: result settings, the call's ranking, the
proposal, adjustments, 公示 publication and final confirmation; auditors read) and ``public`` (the public
results page). One blueprint, ``proposals`` (``awards/proposals/blueprint.py``); importing this package
registers both audiences' routes on it."""
from grantportal.awards.proposals.blueprint import bp
from grantportal.awards.proposals.views import manage, public

__all__ = ["bp", "manage", "public"]
