"""Public vote pages by audience: ``public`` (everyone: the vote's page and live tally, the published counts,
receipt hashes and downloads, checking a receipt; citizens: voting and their own votes) and ``manage`` (officers:
setting up, opening, the review queue, publishing; auditors read). One blueprint, ``votes``
(``votes/blueprint.py``); importing this package registers every audience's routes on it."""
from grantportal.votes.blueprint import bp
from grantportal.votes.views import manage, public

__all__ = ["bp", "manage", "public"]
