"""The columns the case-list queries read, as Core table columns (not ORM attributes).

A select of mapped attributes (`select(models.Case.id)`) goes through the ORM's compile step,
whose first use in a process configures every mapper: about 0.1 s that the first rows shown
after opening a workbook would wait for. The list queries need none of the ORM, so they use
the tables' columns: `Case.status` here is `cases.c.status` (same names, same types), and
`cases` is the table for FROM/JOIN. The case detail, which builds objects, still uses the ORM.
"""

from __future__ import annotations

from workbench.core.store import models

cases = models.Case.__table__
findings = models.Finding.__table__
tags = models.Tag.__table__

Case = cases.c          # Case.id, Case.status, getattr(Case, key) ...
Finding = findings.c
Tag = tags.c
