# syntax=docker/dockerfile:1
# The production image. One image for every app service: gunicorn (the default command), the
# Celery worker and Celery beat (see docker-compose.yml and docs/deployment.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint's runtime libraries (the PDF reports) and one font family. Every Python
# dependency ships a wheel, so no compiler or -dev package is needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not reinstall
# them. No package directory exists yet at this point, so `pip install .` installs only the
# project's dependencies (README.md is named as the readme in pyproject.toml).
COPY pyproject.toml README.md ./
RUN pip install .

# The code runs from the source tree in /app (PYTHONPATH), not from site-packages: the
# settings find templates/, static/ and locale/ next to the thuiszitters package
# (BASE_DIR), and those folders are not part of the Python package. The code stays owned
# by root and read-only for the app user.
COPY . .

ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=thuiszitters.settings.production \
    VAR_DIR=/var/lib/thuiszitters \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3

# Static files are collected at build time (WhiteNoise serves them with a manifest). The
# production settings refuse to load without a long SECRET_KEY, so this one step gets a
# throwaway key that is not kept in the image. Translations (.mo) are committed, so no
# gettext is needed here.
RUN SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
        AUDIT_HASH_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /var/lib/thuiszitters/media \
    && chown -R app:app /var/lib/thuiszitters

USER app
EXPOSE 8000

# /healthz is exempt from login and from the HTTPS redirect, but not from ALLOWED_HOSTS:
# ask with the first allowed host name as Host header. A 503 raises, so the check fails.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD python -c "import os,sys,urllib.request as u; h=os.environ.get('ALLOWED_HOSTS','localhost').split(',')[0].strip().lstrip('.'); h='localhost' if h in ('','*') else h; sys.exit(0 if u.urlopen(u.Request('http://127.0.0.1:8000/healthz',headers={'Host':h}),timeout=8).status==200 else 1)"

# Worker processes come from WEB_CONCURRENCY (read by gunicorn itself); more gunicorn
# options can be given in GUNICORN_CMD_ARGS.
CMD ["gunicorn", "thuiszitters.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", \
     "--timeout", "60"]
