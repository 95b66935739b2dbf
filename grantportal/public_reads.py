"""The public pages that read from the replica when one is configured (core/replica.py): anonymous GETs of these
endpoints read a PostgreSQL streaming replica, every other request the primary. Listed here, above every domain,
as the menu is in navigation.py: a new public page reads the primary until it is added (a test checks that every
name here is a GET route anonymous visitors may open)."""

PUBLIC_READS = frozenset({
    # the public site (disclosure): home, 公示与结果, help, site search, statistics
    "disclosure.index", "disclosure.results", "disclosure.help", "disclosure.search_page",
    "statistics.index", "statistics.table_csv",
    # calls' public pages and the files published with them
    "calls.public_list", "calls.public_detail", "files.download",
    # the year's service catalogues and what was bought under each item
    "catalogue.years", "catalogue.year", "catalogue.year_csv",
    # results, score sheets and draws as published
    "proposals.public", "proposals.scores", "proposals.scores_csv", "proposals.draw", "proposals.draw_csv",
    "proposals.draw_json_download",
    # the organizations' directory and records
    "orgs.directory", "orgs.public_detail",
    # funded projects in execution
    "projects.index", "projects.call_projects", "projects.project",
    # open data: the datasets page, bulk downloads, OCDS packages and records, the feed, sitemaps, robots.txt
    "opendata.index", "opendata.awards_json", "opendata.awards_csv", "opendata.awards_xlsx",
    "opendata.awards_360giving", "opendata.call_package", "opendata.project_record", "opendata.feed",
    "opendata.sitemap", "opendata.sitemap_pages", "opendata.sitemap_projects", "opendata.robots",
    # document verification by code (the POST with a file reads the primary)
    "documents.verify_form", "documents.verify",
})
