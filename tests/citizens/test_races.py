"""SMS codes under concurrent requests (PostgreSQL only, see tests/race.py): one code signs in once however many
requests send it at the same moment; guesses sent together get no more tries than the limit; requests for a
code sent together send one message. No request ends in a 500."""
import threading

import sqlalchemy as sa

from grantportal.accounts.models import UserSession
from grantportal.citizens.models import Citizen, SmsCode
from grantportal.core.db import db
from tests.citizens.conftest import CODE, LOGIN, request_code
from tests.race import skip_unless_postgres

PENDING = "citizen_sign_in"


def _together(clients, send):
    """``send(i, client)`` from every client at the same moment, each in its own thread; the answers' statuses."""
    db.session.commit()
    barrier = threading.Barrier(len(clients))
    statuses = [None] * len(clients)

    def run(i):  # a thread without the test's app context: each request runs as in production
        barrier.wait(timeout=20)
        statuses[i] = send(i, clients[i]).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a request never finished (deadlock?)"
    db.session.rollback()
    return statuses


def _clients_waiting_for(app, client, n):
    """``n`` browsers in the second step for the phone ``client`` asked a code for."""
    with client.session_transaction() as sess:
        pending = dict(sess[PENDING])
    clients = [app.test_client() for _ in range(n)]
    for c in clients:
        with c.session_transaction() as sess:
            sess[PENDING] = pending
    return clients


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_twenty_simultaneous_uses_of_one_code_sign_in_once(app, client, sms, phone_number, is_postgres):
    skip_unless_postgres(is_postgres, "uses of one SMS code")
    code = request_code(client, sms, phone_number)
    clients = _clients_waiting_for(app, client, 20)
    statuses = _together(clients, lambda i, c: c.post(CODE, data={"code": code, "consent": "y"}))
    assert sorted(statuses) == [200] * 19 + [302]  # one sign-in; the others told the code is used or spent
    assert _count(Citizen) == 1 and _count(UserSession) == 1
    row = db.session.scalar(sa.select(SmsCode))
    assert row.used_at is not None and not row.live and row.attempts <= 5


def test_twenty_simultaneous_guesses_get_no_more_than_five_tries(app, client, sms, phone_number, is_postgres):
    skip_unless_postgres(is_postgres, "guesses of one SMS code")
    code = request_code(client, sms, phone_number)
    wrong = [f"{(int(code) + k) % 10**6:06d}" for k in range(1, 21)]
    clients = _clients_waiting_for(app, client, 20)
    statuses = _together(clients, lambda i, c: c.post(CODE, data={"code": wrong[i], "consent": "y"}))
    assert statuses == [200] * 20
    row = db.session.scalar(sa.select(SmsCode))
    assert row.attempts == 5 and not row.live
    assert "验证码错误次数过多" in client.post(CODE, data={"code": code, "consent": "y"}).get_data(as_text=True)
    assert _count(Citizen) == 0


def test_ten_simultaneous_requests_for_a_code_send_one_message(app, sms, phone_number, is_postgres):
    skip_unless_postgres(is_postgres, "requests for an SMS code")
    clients = [app.test_client() for _ in range(10)]
    statuses = _together(clients, lambda i, c: c.post(LOGIN, data={"phone": phone_number}))
    assert sorted(statuses) == [200] * 9 + [302]  # the others: "验证码已发送，请…秒后再重新获取。"
    assert len(sms) == 1 and _count(SmsCode) == 1
