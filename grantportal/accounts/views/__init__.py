"""Account pages by audience: ``public`` (signing in and out, the dynamic code, registration), ``member``
(the signed-in user's own account) and ``manage`` (the administrator's user management). One blueprint,
``accounts`` (``accounts/blueprint.py``); importing this package registers every audience's routes on it."""
from grantportal.accounts.blueprint import bp
from grantportal.accounts.views import manage, member, public

__all__ = ["bp", "manage", "member", "public"]
