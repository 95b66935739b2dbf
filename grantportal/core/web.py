"""Request plumbing: security headers, what a URL may hold, error pages (the request id and each request's
log line: core/logs.py; template filters: core/templating.py)."""
import logging

import sqlalchemy as sa
from flask import abort, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from grantportal.core import navigation
from grantportal.core.commits import load_signed_in_user
from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.core.extensions import login_manager
from grantportal.core.inputs import MAX_ID, has_control
from grantportal.core.notices import send_ready_mail

log = logging.getLogger("grantportal")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

ERRORS = {
    400: ("请求有误", "提交的内容无法处理，请返回上一页检查后重试。"),
    403: ("无权访问", "您没有权限查看或操作此内容。如有疑问，请联系项目官员。"),
    404: ("页面不存在", "您访问的页面不存在或已被删除。"),
    405: ("请求方式不允许", "该页面不支持此操作。"),
    409: ("操作冲突", "该内容已被修改或当前状态不允许此操作，请刷新页面后重试。"),
    413: ("文件过大", "上传的文件超过大小限制，请压缩或拆分后重新上传。"),
    414: ("网址过长", "您访问的网址过长，无法处理。请返回上一页，减少或缩短查询条件后重试。"),
    429: ("操作过于频繁", "您的操作过于频繁，请稍后再试。"),
    500: ("系统繁忙", "服务器处理时出现问题，已记录，请稍后重试。"),
    503: ("正在准备", "您要的内容正在准备中，请稍后再试。"),
}


# A query string longer than this is refused with the site's own 414 page (no page here needs more;
# gunicorn is started with a longer request-line limit so that the request reaches the app).
MAX_QUERY_STRING = 4096


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: digits only, 0 … MAX_ID. An id past the integer columns names nothing, so
    the rule does not match and it is a 404 like any other unknown id, never an overflow in the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """A text segment of a URL (a token, a verification code): control characters never match, so 404."""

    def to_python(self, value):
        if has_control(value):
            raise ValidationError()
        return value


def register_converters(app):
    """Before any blueprint is registered: rules pick their converters when they are added."""
    app.url_map.converters.update({"int": IdConverter, "default": TextConverter, "string": TextConverter})


def _clean_query():
    """A query string that is too long is refused (414); a query parameter holding a control character is
    ignored, as if it had not been sent: no search, filter or ``next`` ever sees one."""
    if len(request.query_string) > MAX_QUERY_STRING:
        abort(414)
    args = request.args
    if any(has_control(k) or has_control(v) for k, v in args.items(multi=True)):
        request.args = ImmutableMultiDict(
            [(k, v) for k, v in args.items(multi=True) if not (has_control(k) or has_control(v))])


def _security_headers(resp):
    h = resp.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if getattr(g, "request_id", None):
        h["X-Request-ID"] = g.request_id
    if request.endpoint != "static" and "Cache-Control" not in h:
        h["Cache-Control"] = "no-store" if getattr(g, "signed_in", False) else "no-cache"
    return resp


def error_page(code, message=None, plain=False):
    """The site's own page for an error; ``plain`` leaves out everything that needs the signed-in user
    (the navigation), so that the page renders without the database."""
    title, default = ERRORS.get(code, ERRORS[500])
    if plain:
        navigation.leave_out()
    else:
        load_signed_in_user()  # a refusal's rollback expired it: loaded here, not by the template
    return render_template("errors.html", code=code, title=title, message=message or default,
                           plain=plain), code


def _end_session(exc):
    """End the request's database session even when the server went away under it (a restart, a failover): the
    rollback on a connection the server cut raises after the response was made, and would replace the site's
    answer — a saved form's redirect, or the 500 page — by the WSGI server's bare error. The dead connection is
    dropped instead (the pool's pre-ping replaces it); Flask-SQLAlchemy's own teardown then finds nothing to do."""
    try:
        db.session.remove()
    except sa.exc.DBAPIError as e:
        log.warning("database connection lost at the end of a request (%s)", type(e.orig).__name__)
        try:
            db.session.remove()
        except sa.exc.DBAPIError:
            db.session.registry.clear()


def init_app(app):

    register_converters(app)
    app.teardown_appcontext(_end_session)  # registered after db.init_app: runs before Flask-SQLAlchemy's
    app.before_request(_clean_query)
    app.after_request(_security_headers)
    app.after_request(send_ready_mail)

    for code in ERRORS:
        if code == 500:
            continue
        app.register_error_handler(code, lambda e, code=code: error_page(
            code, getattr(e, "description", None) if _own_message(e) else None))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_page(400, "页面已过期或缺少安全校验码，请刷新页面后重新提交。")

    @app.errorhandler(Refused)
    def refused(e):
        """A refusal no view caught (e.g. core.db's control-character check at flush): its own message."""
        return error_page(e.status if e.status in ERRORS else 409, e.message)

    @app.errorhandler(500)
    def server_error(e):
        """Never touches the database: it may be down, or the failed write left the session unusable."""
        log.error("server error in %s %s", request.method, request.endpoint)  # never the path: it can hold a token
        if "_login_user" not in g:  # Flask-Login's context processor would load the user from the database
            g._login_user = login_manager.anonymous_user()
        return error_page(500, plain=True)


def _own_message(e):
    """Only messages written by us (Chinese) are shown; werkzeug's English defaults are not."""
    desc = getattr(e, "description", "") or ""
    return any("\u4e00" <= ch <= "\u9fff" for ch in desc)
