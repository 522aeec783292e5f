# syntax=docker/dockerfile:1
# The one-shot migration image: the three services' Alembic migrations, each applied with that
# service's own database role (so the schema's tables belong to it). Built from the repository root:
#   docker build -f deploy/docker/migrate.Dockerfile -t bdhvs-migrate .
# Run it before the services of a release start (compose: service `migrate`; Kubernetes: Job `bdhvs-migrate`).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ghcr.io/astral-sh/uv:0.13.8 AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/intake/pyproject.toml services/intake/
COPY services/kpi/pyproject.toml services/kpi/
COPY services/notifier/pyproject.toml services/notifier/
COPY services/web/pyproject.toml services/web/
COPY deploy/local/pyproject.toml deploy/local/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package bdhvs-intake --package bdhvs-kpi --package bdhvs-notifier \
    --no-install-workspace
COPY shared shared
COPY services services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package bdhvs-intake --package bdhvs-kpi --package bdhvs-notifier \
    --no-editable

FROM ${PYTHON_IMAGE}
RUN useradd --system --uid 10001 --user-group --no-create-home bdhvs
COPY --from=build /app/.venv /app/.venv
COPY deploy/docker/migrate.sh /usr/local/bin/bdhvs-migrate
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 LOG_FORMAT=json
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/bdhvs-migrate"]
