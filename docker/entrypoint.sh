#!/bin/sh
# Koers container entrypoint.
#   web      serve the app with gunicorn on 0.0.0.0:$PORT (default 8000), $WEB_CONCURRENCY workers
#   migrate  bring the database schema up to date (koers db upgrade); run it as its own step
#            before rolling out web containers — web containers never migrate at start-up
#   worker   run background jobs from the Redis queue (needs REDIS_URL)
#   other    passed to the koers command, e.g. `check-db`, `users create …`, `--help`
# Extra arguments after web/migrate/worker go to gunicorn, `koers db upgrade` or `koers worker`.
set -eu

command="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi

case "$command" in
    web)
        exec gunicorn --no-control-socket \
            --bind "0.0.0.0:${PORT:-8000}" \
            --workers "${WEB_CONCURRENCY:-2}" \
            --access-logfile - \
            "$@" 'app:create_app()'
        ;;
    migrate)
        exec koers db upgrade "$@"
        ;;
    worker)
        exec koers worker "$@"
        ;;
    *)
        exec koers "$command" "$@"
        ;;
esac
