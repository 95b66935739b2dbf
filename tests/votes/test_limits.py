"""Against scripted voting (issue 13): voting is rate-limited per voter, per address and per /24 network (shared
through Redis when REDIS_URL is set; in memory here), and a question in Chinese numerals is asked when votes from one
address come fast — its answer never leaves the server."""
import re

from grantportal.core.db import utcnow
from grantportal.votes import challenge
from tests import factories as f
from tests.permissions.test_matrix import sign_in
from tests.votes.conftest import as_user, cast, make_vote, vote_url, votes

NUMBERS = {c: i for i, c in enumerate(challenge.NUMERALS)}


def _answer(html):
    a, op, b = re.search(r"([一二三四五六七八九十])([加减])([一二三四五六七八九十])等于几", html).groups()
    return str(NUMBERS[a] + NUMBERS[b] if op == "加" else NUMBERS[a] - NUMBERS[b])


def test_a_question_is_asked_when_one_address_votes_fast_and_only_the_right_answer_votes(app, client, world):
    app.config.update(VOTE_CHALLENGE_VOTES=2, VOTE_CHALLENGE_SECONDS=300)
    rnd, _ = make_vote(world.call, world.officer)
    for user in (world.citizens[1].user, world.citizens[2].user):  # two votes from this address a moment ago
        cast(rnd, world.apps[0], user, ip="127.0.0.1")
    as_user(client, world.citizen)
    app_ = world.apps[1]
    page = client.get(vote_url(rnd, app_)).get_data(as_text=True)
    assert "请先回答一个简单的问题" in page
    with client.session_transaction() as sess:
        kept = dict(sess[challenge.KEY])
    assert set(kept) == {"q", "n", "h"} and kept["q"] in page  # the question and an HMAC, never the answer

    wrong = str((int(_answer(page)) + 1) % 19)
    refused = client.post(vote_url(rnd, app_), data={"answer": wrong})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "回答不正确" in html and len(votes()) == 2
    skipped = client.post(vote_url(rnd, app_), data={})  # a script that never asked for the page
    assert skipped.status_code == 400 and len(votes()) == 2
    html = skipped.get_data(as_text=True)
    resp = client.post(vote_url(rnd, app_), data={"answer": _answer(html)})
    assert resp.status_code == 303 and len(votes()) == 3
    # a question answered once cannot be replayed for another project
    with client.session_transaction() as sess:
        sess[challenge.KEY] = kept
    assert client.post(vote_url(rnd, world.apps[2]), data={"answer": _answer(page)}).status_code == 400

    # another address that votes slowly is not asked
    slow = world.citizens[1].user
    as_user(client, slow)
    page = client.get(vote_url(rnd, world.apps[3]), environ_base={"REMOTE_ADDR": "192.0.2.4"}).get_data(as_text=True)
    assert "请先回答" not in page


def _limited(make_app, **limits):
    app = make_app(RATELIMIT_ENABLED=True, VOTE_CHALLENGE_VOTES=10_000, **{
        "RATELIMIT_VOTE_VOTER": "100 per minute", "RATELIMIT_VOTE_ADDRESS": "100 per minute",
        "RATELIMIT_VOTE_NETWORK": "100 per minute", **limits})
    return app.test_client()


def _post(client, user, rnd, app_, ip):
    client.delete_cookie("gp_session")
    sign_in(client, user)
    return client.post(vote_url(rnd, app_), environ_base={"REMOTE_ADDR": ip}).status_code


def test_voting_is_rate_limited_per_voter_per_address_and_per_network(make_app, world):
    rnd, _ = make_vote(world.call, world.officer, per_day=10)
    a, b, c, d = world.apps
    voters = [f.CitizenFactory().user for _ in range(4)]

    client = _limited(make_app, RATELIMIT_VOTE_VOTER="2 per minute")
    assert [_post(client, voters[0], rnd, x, "192.0.2.1") for x in (a, b, c)] == [303, 303, 429]
    assert "操作过于频繁" in client.post(vote_url(rnd, d)).get_data(as_text=True)

    client = _limited(make_app, RATELIMIT_VOTE_ADDRESS="2 per minute")
    assert [_post(client, u, rnd, d, "198.51.100.7") for u in voters[1:4]] == [303, 303, 429]
    assert _post(client, voters[3], rnd, d, "198.51.100.8") == 303  # the next address of the block is not limited

    client = _limited(make_app, RATELIMIT_VOTE_NETWORK="2 per minute")
    statuses = [_post(client, u, rnd, c, f"203.0.113.{i}") for i, u in enumerate(voters[1:4], 1)]
    assert statuses == [303, 303, 429]  # three addresses, one /24
    assert _post(client, voters[3], rnd, c, "203.0.114.1") == 303
    assert client.get(vote_url(rnd, b)).status_code == 200  # only voting is limited, not the page
    assert len(votes()) == 2 + 3 + 3 and all(v.cast_at <= utcnow() for v in votes())
