"""The local Redis, or the reason tests that need it are skipped."""

from __future__ import annotations

import os

import redis

REDIS_URL = os.environ.get("SPARRING_TEST_REDIS", "redis://127.0.0.1:6379/0")


def redis_missing() -> str:
    """Why Redis tests cannot run here ('' when they can)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"no Redis at {REDIS_URL}: {exc}"
    finally:
        client.close()
    return ""
