"""Reads about funding that lower domains ask for (``core.signals``): the award's contract on the
application's page. Connected when the app is created (``grantportal/app.py`` imports this module)."""
from grantportal.core import signals
from grantportal.funding.operations import contract_of


@signals.award_contract.connect
def award_contract(award):
    """The award's contract (any status), or None."""
    return contract_of(award)
