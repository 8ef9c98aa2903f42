# Sparring: the same server as scripts/serve, on SQLite in /app/sessions (mount a volume there).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SPARRING_HOST=0.0.0.0 SPARRING_PORT=8000 \
    SPARRING_DATA_DIR=/app/sessions SPARRING_SEED_DIR=/app/seed
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
COPY seed ./seed
RUN pip install --no-cache-dir -c constraints.txt . && mkdir -p sessions && useradd --system sparring && chown sparring sessions
USER sparring
VOLUME ["/app/sessions"]
EXPOSE 8000
CMD ["sparring", "serve"]
