"""Browser tests drive the pages of every domain, with that domain's fixtures: a project in progress with its
report schedule (tests/monitoring/conftest.py) for the monitoring pages; every kind of waiting work
(tests/workbench/conftest.py) for the officer's 待办 home."""
from tests.monitoring.conftest import project, scheduled  # noqa: F401  (fixtures, used by name)
from tests.workbench.conftest import waiting  # noqa: F401  (fixture, used by name)
