"""Pre-release only: rewrite migration 0001 from the models (no workbook has shipped yet).

Once a release has shipped, add a new revision instead:
    python -c "from alembic import command; ..." (see workbench/core/store/migrate.py)
Run: python tests/tools/regen_initial_migration.py
"""

import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from workbench.core.store.migrate import MIGRATIONS, alembic_config

target = MIGRATIONS / "versions" / "0001_initial_schema.py"
target.unlink(missing_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    engine = create_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
    command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001")
print(f"rewrote {target}")
