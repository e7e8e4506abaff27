# The production image: gunicorn serves the web; the same image runs the Celery worker and beat
# (see docker-compose.yml). Settings come from the environment (.env.example).

# Front-end assets: only the dist folders STATICFILES_DIRS names are copied on.
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
# PYTHONPATH: /app wins over the copy pip puts in site-packages, so BASE_DIR is /app and
# templates/ and static/ are found whichever command imports the code.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    VAR_DIR=/app/var

# WeasyPrint's Pango and HarfBuzz, and fonts to render PDFs with (Liberation Sans is Arial's
# metrics); gettext's msgfmt compiles the Welsh catalogue below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --no-create-home --home-dir /app navigator

WORKDIR /app
COPY . .
COPY --from=assets /build/node_modules/nhsuk-frontend/dist node_modules/nhsuk-frontend/dist
COPY --from=assets /build/node_modules/htmx.org/dist node_modules/htmx.org/dist
# Every package (pip and the build backend too) is pinned with its sha256 in requirements.lock and
# pip refuses anything unhashed. pip goes first, on its own (its entry in the lock): the image's
# pip may be too old to check hashes of a requirement with extras. The app goes in last, with
# nothing more fetched.
RUN sed -n '/^pip==/,/[^\\]$/p' requirements.lock > /tmp/pip.lock \
    && pip install --require-hashes -r /tmp/pip.lock \
    && rm /tmp/pip.lock \
    && pip install --require-hashes -r requirements.lock \
    && pip install --no-deps --no-build-isolation .

# Static files are collected and the Welsh catalogue compiled (locale/*.po to .mo) once, here.
# Production settings refuse to load without these four;
# the values exist only for this command and are never used by a running container.
RUN DEBUG=false SECRET_KEY=collectstatic-only-collectstatic-only-collectstatic-only \
    ALLOWED_HOSTS=localhost REDIS_URL=redis://localhost:6379/0 \
    DATA_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5ldmVyLXVzZWQhISE= \
    python manage.py collectstatic --noinput --verbosity 0 \
    && DEBUG=false SECRET_KEY=collectstatic-only-collectstatic-only-collectstatic-only \
    ALLOWED_HOSTS=localhost REDIS_URL=redis://localhost:6379/0 \
    DATA_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5ldmVyLXVzZWQhISE= \
    python manage.py compilemessages --verbosity 0 \
    && mkdir -p var/media \
    && chown navigator:navigator var var/media

# The code stays root's and read-only; the app writes only to var/ (beat's schedule, media).
USER navigator
EXPOSE 8000
# Workers: $WEB_CONCURRENCY (gunicorn's own variable), 1 when unset.
CMD ["gunicorn", "navigator.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
