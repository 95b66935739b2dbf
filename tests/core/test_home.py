from tests.factories import CallFactory


def test_home_counts_only_calls_open_for_applications(client):
    CallFactory()  # open: 800,000 + 300,000
    CallFactory(setup__stages={"open_days": -30, "close_days": -1})  # closed yesterday
    CallFactory(setup__stages={"open_days": 5, "close_days": 30})  # not open yet
    body = client.get("/").get_data(as_text=True)
    assert '<div class="stat">1</div>' in body
    assert "110万元" in body  # only the open call's budget
