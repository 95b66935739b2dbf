"""社会组织 pages by audience: ``public`` (the directory and public profiles), ``member`` (the
organization's own members: profile, registration, members and invitations), ``documents`` (its standing
documents, 常用材料) and ``manage`` (officers:
verification, ratings, inspections, penalties). One blueprint, ``orgs`` (``orgs/blueprint.py``);
importing this package registers every audience's routes on it."""
from grantportal.orgs.blueprint import bp
from grantportal.orgs.views import documents, manage, member, public

__all__ = ["bp", "documents", "manage", "member", "public"]
