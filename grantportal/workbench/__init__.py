"""The officer's workbench (待办): what waits for an officer across every domain, and list exports.

It sits above every lifecycle domain (below the app): it asks each domain's ``queries.py`` for counts and
never writes to their tables. See docs/architecture.md."""
