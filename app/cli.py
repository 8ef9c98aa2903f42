"""sparring serve | user add | seed | purge | simulate"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session as Db
from sqlmodel import select

from app import accounts, audit, auth, library, logins
from app.config import get_settings
from app.db import begin_write, make_engine
from app.models import User

if TYPE_CHECKING:
    from fastapi import FastAPI

FIRST_LOGIN_FILE = "first-login.txt"


def add_user(db: Db, username: str, password: str, role: str) -> User:
    if db.exec(select(User).where(User.username == username)).first():
        raise SystemExit(f"Brugeren '{username}' findes allerede")
    user = User(username=username, password_hash=auth.hash_password(password), role=role)
    db.add(user)
    audit.add(db, audit.CLI, "account.created", username, role)
    db.commit()
    return user


def _existing(db: Db, username: str) -> User:
    user = db.exec(select(User).where(User.username == username)).first()
    if user is None or user.id is None:
        raise SystemExit(f"Brugeren '{username}' findes ikke")
    return user


def set_password(db: Db, username: str, password: str) -> None:
    """A new password, and every login of the user ends (a stolen cookie with it)."""
    begin_write(db)
    user = _existing(db, username)
    user.password_hash = auth.hash_password(password)
    db.add(user)
    logins.end_all(db, user.id or 0)
    audit.add(db, audit.CLI, "account.password", username)
    db.commit()


def remove_user(db: Db, username: str) -> None:
    """The account and its logins go; its sessions stay, without an owner (the admin page can hand
    them to another facilitator instead)."""
    begin_write(db)
    accounts.remove(db, audit.CLI, _existing(db, username), None)
    db.commit()


def ensure_first_facilitator(db: Db, data_dir: Path) -> str:
    """Create a facilitator on first start; the login stays in sessions/ (0600) to be found again."""
    path = data_dir / FIRST_LOGIN_FILE
    begin_write(db)  # processes starting together: the first makes it, the others find it
    if db.exec(select(User).where(User.role == "facilitator")).first() is None:
        password = secrets.token_urlsafe(9)
        add_user(db, "facilitator", password, "facilitator")
        # Made private before the password is written into it.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        path.write_text(f"brugernavn: facilitator\nadgangskode: {password}\n")
        return f"brugernavn: facilitator  adgangskode: {password}"
    # Printed once, when it was made: a server's output ends up in logs.
    if path.exists():
        return f"brugernavn: facilitator  adgangskode: i {path}"
    return "brug en konto oprettet med 'sparring user add'"


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = get_settings()
    engine = make_engine(settings)
    with Db(engine) as db:
        lib, count = library.seed_library(db, settings.seed_dir)
        login = ensure_first_facilitator(db, settings.data_dir)
    engine.dispose()
    host, port = args.host or settings.host, args.port or settings.port
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"\nSparring kører: http://{shown}:{port}/facilitator  ({login})", flush=True)
    print(f"Deltagere: {_phone_address(host, port)}   Cases opdateret: {count}", flush=True)
    for error in lib.errors:
        print(f"FEJL i seed/{error}", flush=True)
    print(flush=True)
    workers = args.workers or 1
    if workers > 1 and not settings.redis_url:
        raise SystemExit(
            "--workers over 1 needs SPARRING_REDIS_URL: the workers tell each other of every "
            "change through Redis (README: Flere processer)"
        )
    settings.effective_secret_key()  # made once, before the workers start and read it
    uvicorn.run(
        "app.cli:serving_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        # Forwarded headers are believed only from SPARRING_TRUSTED_PROXIES (app.main), never
        # from uvicorn's default (anyone on loopback).
        proxy_headers=False,
        # Up to 16x the message limit is read and refused with a message the phone shows; past that the
        # socket closes (1009) before the server buffers it.
        ws_max_size=16 * settings.max_message_bytes,
        ws_per_message_deflate=False,  # compression off: no zip bombs, no compression side channels
        log_level="info",
    )


def serving_app() -> FastAPI:
    """The app as `sparring serve` runs it, in each worker process."""
    from app.main import create_app

    app = create_app(get_settings())
    collect_as_a_server()
    return app


def collect_as_a_server() -> None:
    """A full garbage collection walks every live object: with 1,000 phones connected it took
    130-260 ms, five times while they joined, and a vote burst that met one missed its target.
    What start-up made is frozen out of it, and the young generation is collected less often, so
    full collections become rare (bench/RESULTS.md: none in six 1,000-phone runs, +8 MiB)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)


def _phone_address(host: str, port: int) -> str:
    """Where phones in the room go: this machine's LAN address when listening on all addresses."""
    if host != "0.0.0.0":
        return f"http://{host}:{port}/"
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        # Connecting a UDP socket sends nothing; it only makes the OS pick the outgoing interface.
        probe.connect(("192.0.2.1", 9))
        address = str(probe.getsockname()[0])
        if not address.startswith("127."):
            return f"http://{address}:{port}/"
    return f"http://{socket.gethostname()}:{port}/"


def cmd_user_add(args: argparse.Namespace) -> None:
    settings = get_settings()
    password = args.password or secrets.token_urlsafe(9)
    with Db(make_engine(settings)) as db:
        add_user(db, args.username, password, args.role)
    print(f"Oprettet {args.role} '{args.username}' med adgangskode: {password}")


def cmd_user_password(args: argparse.Namespace) -> None:
    password = args.password or secrets.token_urlsafe(9)
    with Db(make_engine(get_settings())) as db:
        set_password(db, args.username, password)
    print(f"Ny adgangskode til '{args.username}': {password} (brugerens logins er afsluttet)")


def cmd_user_remove(args: argparse.Namespace) -> None:
    with Db(make_engine(get_settings())) as db:
        remove_user(db, args.username)
    print(f"Brugeren '{args.username}' er slettet og logget ud")


def cmd_user_list(_args: argparse.Namespace) -> None:
    with Db(make_engine(get_settings())) as db:
        for user in db.exec(select(User).order_by(User.username)):
            print(f"{user.username}\t{user.role}")


def cmd_seed(_args: argparse.Namespace) -> None:
    settings = get_settings()
    with Db(make_engine(settings)) as db:
        lib, changed = library.seed_library(db, settings.seed_dir)
    print(f"{len(lib.cases)} cases indlæst, {changed} nye eller ændrede")
    for error in lib.errors:
        print(f"FEJL i seed/{error}", file=sys.stderr)
    if lib.errors:
        raise SystemExit(1)


def cmd_simulate(args: argparse.Namespace) -> None:
    from app.simulate import READ_TIMEOUT, simulate

    read_timeout = READ_TIMEOUT if args.read_timeout is None else args.read_timeout
    print(f"{args.participants} bot-telefoner deltager i {args.code} (Ctrl-C stopper)")
    with contextlib.suppress(KeyboardInterrupt):
        failed = asyncio.run(
            simulate(args.url, args.code, args.participants, args.seed, args.think, read_timeout)
        )
        if failed:
            print(
                f"{failed} af {args.participants} bot-telefoner stoppede med en fejl",
                file=sys.stderr,
            )
            raise SystemExit(1)


def cmd_purge(_args: argparse.Namespace) -> None:
    from app import retention

    settings = get_settings()
    outcome = retention.purge_expired(make_engine(settings), settings)
    codes = outcome.purged
    print(f"Rådata slettet for {len(codes)} afsluttede sessioner: {', '.join(codes) or '-'}")
    if outcome.failed:
        print(f"Kunne ikke slettes (se loggen): {', '.join(outcome.failed)}", file=sys.stderr)
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="sparring", description="Sparring: live dilemmasessioner")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start serveren (SQLite, seeder case-biblioteket)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers", type=int, help="processer på denne maskine (over 1 kræver SPARRING_REDIS_URL)"
    )
    serve.set_defaults(func=cmd_serve)

    user = sub.add_parser("user", help="brugere").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="opret en bruger")
    add.add_argument("username")
    add.add_argument("--role", choices=list(accounts.ROLES), default="facilitator")
    add.add_argument("--password", help="udelad for at få en tilfældig")
    add.set_defaults(func=cmd_user_add)
    password = user.add_parser("password", help="ny adgangskode (brugerens logins afsluttes)")
    password.add_argument("username")
    password.add_argument("--password", help="udelad for at få en tilfældig")
    password.set_defaults(func=cmd_user_password)
    remove = user.add_parser("remove", help="slet en bruger (logins afsluttes, sessioner bevares)")
    remove.add_argument("username")
    remove.set_defaults(func=cmd_user_remove)
    listing = user.add_parser("list", help="vis brugere og roller")
    listing.set_defaults(func=cmd_user_list)

    seed = sub.add_parser("seed", help="indlæs seed/cases i databasen")
    seed.set_defaults(func=cmd_seed)

    purge = sub.add_parser(
        "purge",
        help="slet rådata for sessioner afsluttet for mere end SPARRING_RETENTION_DAYS siden",
    )
    purge.set_defaults(func=cmd_purge)

    sim = sub.add_parser("simulate", help="lad N bot-telefoner deltage i en session")
    sim.add_argument("--code", required=True)
    sim.add_argument("--participants", type=int, default=12)
    sim.add_argument("--url", default="http://127.0.0.1:8000")
    sim.add_argument("--seed", type=int)
    sim.add_argument(
        "--think", type=float, default=1.0, help="højst så mange sekunders tænketid pr. handling"
    )
    sim.add_argument(
        "--read-timeout",
        type=float,
        help="sekunder en bot venter på serveren, før den forbinder igen (standard: 30)",
    )
    sim.set_defaults(func=cmd_simulate)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
