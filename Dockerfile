# Koers — one municipality's instance per container set.
#   docker build -t koers .
#   docker run --rm --env-file koers.env koers migrate   # explicit step, before rolling out web
#   docker run -d --env-file koers.env -p 8000:8000 koers  # web (the default)
#   docker run -d --env-file koers.env koers worker        # background jobs (needs REDIS_URL)
# See docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    KOERS_INSTANCE_DIR=/var/lib/koers \
    KOERS_STORAGE_DIR=/var/lib/koers/storage \
    PORT=8000

# The source tree stays in /srv/koers: app/config.py finds municipalities/ and translations/
# next to the app/ package, so the package is installed in editable mode from here.
WORKDIR /srv/koers

# Dependencies first (their own layer, rebuilt only when pyproject.toml changes).
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md* babel.cfg ./
COPY app/ app/
RUN pip install --no-cache-dir --no-deps -e . \
    && find /srv/koers -name '__pycache__' -type d -prune -exec rm -rf {} +

# The municipality plugins of this repository, installed like any third-party plugin; a
# municipality enables the ones it uses in its municipality.toml.
COPY plugins/ plugins/
RUN for plugin in plugins/koers-*/; do pip install --no-cache-dir --no-deps -e "$plugin"; done \
    && find /srv/koers/plugins -name '__pycache__' -type d -prune -exec rm -rf {} +

COPY translations/ translations/
COPY municipalities/ municipalities/
# Compiled catalogues are part of the image: the core's and every municipality's own.
RUN python -m app.catalogues --force

COPY docker/ docker/
RUN chmod 0755 docker/entrypoint.sh \
    && groupadd --system --gid 10001 koers \
    && useradd --system --uid 10001 --gid koers --home-dir /var/lib/koers --no-create-home \
         --shell /usr/sbin/nologin koers \
    && mkdir -p /var/lib/koers/storage \
    && chown -R koers:koers /var/lib/koers

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]

ENTRYPOINT ["/srv/koers/docker/entrypoint.sh"]
CMD ["web"]
