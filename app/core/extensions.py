"""Extension objects shared by the whole app; bound to an app in `create_app`."""
from __future__ import annotations

from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate

# One SQLAlchemy object for every model: FAB's security tables and ours share
# FAB's declarative `Model`, so one metadata drives Alembic.
db = get_sqla_class()()
migrate = Migrate()
