# syntax=docker/dockerfile:1
# The kpi image (attainment, pace, projection and status; consumes REPORTS, publishes KPI). Built from the repository root:
#   docker build -f deploy/docker/kpi.Dockerfile -t bdhvs-kpi .
# Only kpi's dependencies are installed (uv sync --package bdhvs-kpi); it runs as a non-root user.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ghcr.io/astral-sh/uv:0.13.8 AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first, from the lock and every member's pyproject (a layer reused while only code changes).
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/intake/pyproject.toml services/intake/
COPY services/kpi/pyproject.toml services/kpi/
COPY services/notifier/pyproject.toml services/notifier/
COPY services/web/pyproject.toml services/web/
COPY deploy/local/pyproject.toml deploy/local/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package bdhvs-kpi --no-install-workspace
# Then the code: the shared package and this service only, installed as wheels (no source tree needed).
COPY shared shared
COPY services/kpi services/kpi
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package bdhvs-kpi --no-editable

FROM ${PYTHON_IMAGE}
# Pango (and fonts with Vietnamese glyphs) for WeasyPrint: the consolidated report as a PDF.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --no-create-home bdhvs \
 && mkdir /backups && chown 10001:10001 /backups  # `kpi streams backup` writes here (a volume)
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 LOG_FORMAT=json HTTP_HOST=0.0.0.0 HTTP_PORT=8001
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"HTTP_PORT\"]}/health/ready', timeout=2)"]
ENTRYPOINT ["python", "-m", "kpi"]
CMD ["serve"]
