"""Time-based one-time passwords (RFC 6238) for officers and administrators."""
import time

import pyotp
import segno
from flask import current_app

from grantportal.accounts.operations import spend_totp_step


def needs_totp(user):
    return user.role.value in current_app.config["TOTP_REQUIRED_ROLES"]


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_data_uri(uri):
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def accept_code(user, secret, code, now=None):
    """True when the 6-digit code is valid now (±30 s) and its time step was not used before. The step is
    spent by one conditional UPDATE (``spend_totp_step``), so of many simultaneous uses of a code only one
    succeeds."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    now = now or time.time()
    totp = pyotp.TOTP(secret)
    for drift in (-1, 0, 1):
        step = int(now // totp.interval) + drift
        if totp.at(step * totp.interval) == code:
            return spend_totp_step(user, step)
    return False
