"""Password storage (argon2id) and policy."""
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A dummy hash so that checking an unknown user costs as much as a known one.
_DUMMY = _hasher.hash("grantportal-dummy-password")
COMMON = {"password123", "1234567890", "qwertyuiop", "12345678910", "abc1234567", "admin12345"}


def use_hasher(hasher):
    """Store and check passwords with ``hasher`` from now on. The test suite uses argon2's cheapest profile
    (argon2.profiles.CHEAPEST): a sign-in with the default parameters costs ~0.12 s of CPU, hundreds of times
    per run; what is checked (argon2id, the dummy hash for unknown users) stays the same."""
    global _hasher, _DUMMY
    _hasher = hasher
    _DUMMY = hasher.hash("grantportal-dummy-password")


def hash_password(password):
    return _hasher.hash(password)


def unusable_password():
    """A stored value no password matches (not an argon2 hash, so ``verify_password`` is always False): for
    accounts that sign in otherwise, such as citizens with an SMS code."""
    return "!" + secrets.token_urlsafe(24)


def verify_password(stored_hash, password):
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password, username=""):
    """A Chinese message saying what is wrong with a new password, or None."""
    if len(password) < 10:
        return "密码至少10位。"
    if len(password) > 128:
        return "密码不能超过128位。"
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return "密码须同时包含字母和数字。"
    if password.lower() in COMMON or (username and username.lower() in password.lower()):
        return "密码过于简单或包含用户名，请换一个。"
    return None
