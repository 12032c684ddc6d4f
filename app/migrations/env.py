"""Alembic environment for the core and every installed plugin's branch.

SQLite cannot alter most of a table in place, so Alembic rebuilds it (batch mode): copy, drop,
rename. With foreign keys on, dropping a parent would cascade to (or be refused by) its child
rows, so on SQLite migrations run with foreign keys off and ``PRAGMA foreign_key_check`` must
come back empty before the transaction commits.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
target_db = migrate_extension.db


class ForeignKeyViolation(RuntimeError):
    pass


def run_migrations_offline() -> None:
    context.configure(url=str(target_db.engine.url), target_metadata=target_db.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    from app.plugins.migrations import include_object

    configure_args = dict(migrate_extension.configure_args)
    # `koers db migrate -x plugin=<name>` autogenerates for that plugin's tables only.
    only_plugin = context.get_x_argument(as_dictionary=True).get("plugin")
    configure_args.setdefault("include_object", include_object(only_plugin))
    configure_args.setdefault("process_revision_directives", process_revision_directives)
    configure_args.setdefault("compare_type", True)

    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        configure_args["render_as_batch"] = sqlite
        if not sqlite:
            context.configure(connection=connection, target_metadata=target_db.metadata,
                              **configure_args)
            with context.begin_transaction():
                context.run_migrations()
            return
        # SQLite: foreign keys off (only possible outside a transaction), then one real
        # transaction around all DDL and DML. pysqlite would otherwise start transactions only
        # before DML, leaving a failed migration half applied.
        driver = connection.connection.driver_connection
        isolation_level = driver.isolation_level
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        driver.isolation_level = None
        try:
            driver.execute("BEGIN")
            context.configure(connection=connection, target_metadata=target_db.metadata,
                              transactional_ddl=True, **configure_args)
            with context.begin_transaction():
                context.run_migrations()
                violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if violations:
                    raise ForeignKeyViolation(
                        f"migration left rows with broken references: {violations[:10]}")
        finally:
            if driver.in_transaction:
                driver.execute("ROLLBACK")
            driver.isolation_level = isolation_level
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
