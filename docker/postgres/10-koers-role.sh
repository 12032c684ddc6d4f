#!/bin/sh
# Runs once, when the postgres container starts on an empty data volume (see compose.yaml):
# the Koers role and its database. The role owns its database and has no other privileges;
# migrations create and alter the tables in it. The superuser (postgres) is for the operator.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v role=koers -v password="$KOERS_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role" ENCODING 'UTF8' TEMPLATE template0;
SQL
