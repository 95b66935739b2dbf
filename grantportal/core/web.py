"""Request plumbing: request ids, security headers, error pages (template filters: core/templating.py)."""
import logging
import secrets

from flask import current_app, g, render_template, request
from flask_wtf.csrf import CSRFError

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
    429: ("操作过于频繁", "您的操作过于频繁，请稍后再试。"),
    500: ("系统繁忙", "服务器处理时出现问题，已记录，请稍后重试。"),
}


def _request_id():
    """A request id for logs and the audit trail; a trusted proxy's X-Request-ID is kept."""

    incoming = request.headers.get("X-Request-ID", "")
    trusted = current_app.config["TRUSTED_PROXIES"] and incoming.replace("-", "").isalnum()
    g.request_id = incoming[:64] if trusted else secrets.token_hex(8)


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


def error_page(code, message=None):
    title, default = ERRORS.get(code, ERRORS[500])
    return render_template("errors.html", code=code, title=title, message=message or default), code


def init_app(app):

    app.before_request(_request_id)
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

    @app.errorhandler(500)
    def server_error(e):
        log.error("unhandled error request_id=%s path=%s", getattr(g, "request_id", None), request.path)
        return error_page(500)


def _own_message(e):
    """Only messages written by us (Chinese) are shown; werkzeug's English defaults are not."""
    desc = getattr(e, "description", "") or ""
    return any("\u4e00" <= ch <= "\u9fff" for ch in desc)
