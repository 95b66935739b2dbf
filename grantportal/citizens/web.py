"""What the pages of a citizen's actions share (随手拍, 认捐 …): an anonymous visitor is sent to 公众登录 and comes
back to the page afterwards (``login_required`` would send them to the staff's sign-in)."""
from functools import wraps

from flask import flash, redirect, request
from flask_login import current_user, login_url

from grantportal.core.permissions import is_signed_in


def citizen_sign_in(view):
    """An anonymous visitor is sent to 公众登录 and comes back here afterwards; a signed-in user goes on to the
    view, whose permission decides (staff and organization accounts are refused there)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_signed_in(current_user):
            flash("请先使用手机号和短信验证码登录公众账户。", "info")
            return redirect(login_url("citizens.login", request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped
