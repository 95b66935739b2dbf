"""Browser tests drive the pages of every domain, with that domain's fixtures: a project in progress with its
report schedule (tests/monitoring/conftest.py) for the monitoring pages."""
from tests.monitoring.conftest import project, scheduled  # noqa: F401  (fixtures, used by name)
