"""Open data (数据开放, DESIGN.md §5): what the public site publishes as machine-readable data.

- Open Contracting Data Standard 1.1.5 (``ocds.py``): one release package per call whose results are final
  (the call is the tender; each funded project an award and, once its contract is in force, a contract whose
  payments and recoveries are ``implementation.transactions`` and whose evaluations are milestones;
  organizations are identified as ``CN-USCI-<统一社会信用代码>``), and one record package per project.
- Bulk downloads of every published award as JSON, CSV and XLSX, and a flat 360Giving-style awards CSV, streamed
  in keyset batches so that memory stays flat however many projects there are (``downloads.py``).
- The 数据开放 page with the data dictionary and the licence, an Atom feed of new calls, 公示 and final results,
  ``sitemap.xml`` and ``robots.txt``.

Nothing personal is published (DESIGN.md §4): no phone numbers, ID numbers, contact persons or legal
representatives, objectors, experts, individual donors or voucher numbers, and no text typed by applicants
(a project summary may name a person, and no mask finds a name); the office's own text is masked on the server.
"""
