# chinwag's container image: the web UI built with node, the wheel built with it inside, installed
# into a virtualenv, run as uid/gid 2000 (as Mattermost's image, and the Mattermost the GitLab
# seed deploys) on a read-only root filesystem.
#
#   docker build -t chinwag:0.1.0 .
#   docker run --read-only --tmpfs /tmp -v chinwag-config:/chinwag/config -v chinwag-data:/chinwag/data \
#     -v chinwag-logs:/chinwag/logs -p 8065:8065 chinwag:0.1.0
#
# Only /chinwag/config (config.json), /chinwag/data (SQLite and local files, when used), /chinwag/logs
# and /tmp are written to. tests/deploy/test_image.py runs the same steps without Docker: the wheel
# from `make wheel`, a fresh venv, a non-root uid, only those directories writable.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. the web UI (webapp/ → src/chinwag/web/static, as `make webapp`)
FROM ${NODE_IMAGE} AS webapp
WORKDIR /build/webapp
COPY webapp/package.json webapp/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY webapp/ ./
RUN npm run build

# 2. the wheel, carrying the built UI (as `make wheel`)
FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src/ src/
COPY --from=webapp /build/src/chinwag/web/static/ src/chinwag/web/static/
RUN python -m pip wheel --no-cache-dir --no-deps -w /dist .

# 3. a virtualenv with the wheel and its pinned dependencies
FROM ${PYTHON_IMAGE} AS venv
RUN python -m venv /opt/chinwag/venv
COPY --from=wheel /dist/ /dist/
RUN /opt/chinwag/venv/bin/pip install --no-cache-dir /dist/chinwag-*.whl

# 4. the runtime
FROM ${PYTHON_IMAGE}
ARG UID=2000
ARG GID=2000
# xmlsec1: SAML signatures (pysaml2); postgresql-client, mariadb-client: `chinwag backup` (pg_dump, mysqldump)
RUN apt-get update \
 && apt-get install -y --no-install-recommends xmlsec1 postgresql-client mariadb-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid "${GID}" chinwag \
 && useradd --uid "${UID}" --gid "${GID}" --home-dir /chinwag --no-create-home --shell /usr/sbin/nologin chinwag \
 && install -d -o chinwag -g chinwag -m 0750 /chinwag/config /chinwag/data /chinwag/logs
COPY --from=venv /opt/chinwag/venv /opt/chinwag/venv
ENV PATH=/opt/chinwag/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MM_CONFIG=/chinwag/config/config.json \
    MM_SERVICESETTINGS_LISTENADDRESS=:8065 \
    MM_SQLSETTINGS_DATASOURCE=/chinwag/data/chinwag.db \
    MM_FILESETTINGS_DIRECTORY=/chinwag/data/files \
    MM_LOGSETTINGS_FILELOCATION=/chinwag/logs
WORKDIR /chinwag
USER ${UID}:${GID}
VOLUME ["/chinwag/config", "/chinwag/data", "/chinwag/logs"]
EXPOSE 8065 8067
# SIGTERM: stop accepting, finish requests in flight, close WebSockets with 1012 so clients resume
# on another instance, save their resume checkpoints, exit
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["python", "-c", "import sys,urllib.request as u; sys.exit(0 if u.urlopen('http://127.0.0.1:8065/api/v4/system/ping', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["chinwag"]
CMD ["serve"]
