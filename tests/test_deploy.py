"""compose.yaml, checked without Docker (there is no engine here): it parses, its parts fit together,
every setting it passes is one the app knows, and deploy/topology.py (which runs it here) reads it
rather than a copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from app.config import Settings
from deploy.topology import caddyfile, replica_environment

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_replicas_share_postgres_and_redis_behind_a_websocket_proxy() -> None:
    services = compose()["services"]
    assert {"app", "init", "proxy", "postgres", "redis"} <= services.keys()
    app = services["app"]
    assert app["deploy"]["replicas"] >= 2
    env = app["environment"]
    assert env["SPARRING_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in env["SPARRING_DATABASE_URL"]
    assert env["SPARRING_REDIS_URL"].startswith("redis://redis:")
    assert "SPARRING_SECRET_KEY" in env, "replicas must sign cookies with one key"
    assert app["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert services["init"]["depends_on"]["postgres"]["condition"] == "service_healthy"

    proxy = services["proxy"]
    mounted = {v.split(":")[0] for v in proxy["volumes"]}
    assert "./deploy/Caddyfile" in mounted
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy" in caddyfile and "name app" in caddyfile and "port 8000" in caddyfile
    assert (ROOT / "Dockerfile").exists() and app["build"] == "."


def test_every_setting_passed_is_one_the_app_reads() -> None:
    known = {f"SPARRING_{name.upper()}" for name in Settings.model_fields}
    for name, service in compose()["services"].items():
        if "build" not in service:
            continue  # not ours: postgres, redis, the proxy
        for key in service.get("environment", {}):
            if key.startswith("SPARRING_") and not key.startswith("SPARRING_ADMIN_"):
                assert key in known, f"{name}: {key} is no setting of app/config.py"


def test_the_script_reads_compose_and_the_caddyfile_it_runs() -> None:
    services = compose()["services"]
    env = replica_environment(
        {"POSTGRES_PASSWORD": "x", "SPARRING_SECRET_KEY": "k", "SPARRING_DOMAIN": "d"}
    )
    assert env.keys() == services["app"]["environment"].keys(), "every setting, none added"
    assert (
        env["SPARRING_TRUSTED_PROXIES"] == services["proxy"]["networks"]["sparring"]["ipv4_address"]
    )
    local = caddyfile(["127.0.0.1:1", "127.0.0.1:2"], Path("/s"), 80, 443)
    deployed = (ROOT / "deploy" / "Caddyfile").read_text()
    directives = {"encode zstd gzip", "lb_policy least_conn", "lb_retries 2", "fail_duration 10s"}
    for line in directives | {"flush_interval -1", "reverse_proxy {"}:
        assert line in deployed and line in local, line
    assert "to 127.0.0.1:1 127.0.0.1:2" in local and "dynamic a" not in local
