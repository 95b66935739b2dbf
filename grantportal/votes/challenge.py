"""The question asked when votes from one address come fast (issue 13: "a challenge when traffic looks
automated"): once ``VOTE_CHALLENGE_VOTES`` votes were cast from the address in ``VOTE_CHALLENGE_SECONDS`` (counted
from the vote rows, so every worker agrees), the confirmation page asks a small sum in Chinese numerals
(“三加五等于几？”) before the vote is taken. Nothing leaves the server but the question: the session (a signed,
readable cookie) keeps the question and an HMAC of the answer bound to the voter and the project, never the
answer, so a replayed cookie can only repeat the same vote — which the one-vote-per-project rule refuses."""
import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta

from grantportal.votes.queries import recent_from

KEY = "vote_challenge"
NUMERALS = "零一二三四五六七八九十"


def needed(ip, now, config):
    """Whether votes from ``ip`` come fast enough that the next one needs an answer."""
    since = now - timedelta(seconds=config["VOTE_CHALLENGE_SECONDS"])
    return recent_from(ip, since) >= config["VOTE_CHALLENGE_VOTES"]


def _digest(secret, user_id, application_id, nonce, answer):
    message = f"{user_id}:{application_id}:{nonce}:{answer}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def ask(session, secret, user_id, application_id):
    """A new question for this voter and project, kept in ``session``; returns its text."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        text, answer = f"{NUMERALS[a]}加{NUMERALS[b]}等于几？", a + b
    else:
        a, b = max(a, b), min(a, b)
        text, answer = f"{NUMERALS[a]}减{NUMERALS[b]}等于几？", a - b
    nonce = secrets.token_hex(8)
    session[KEY] = {"q": text, "n": nonce, "h": _digest(secret, user_id, application_id, nonce, answer)}
    return text


def question(session):
    kept = session.get(KEY)
    return kept.get("q") if isinstance(kept, dict) else None


def passed(session, secret, user_id, application_id, answer):
    """Whether ``answer`` (Arabic digits, full-width too) answers the kept question; the question is used up either
    way."""
    kept = session.pop(KEY, None)
    text = unicodedata.normalize("NFKC", answer or "").strip()
    if not isinstance(kept, dict) or not text.isdigit() or len(text) > 3:
        return False
    return hmac.compare_digest(str(kept.get("h", "")),
                               _digest(secret, user_id, application_id, kept.get("n", ""), int(text)))
