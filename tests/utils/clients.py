"""People as the server sees them: a facilitator over HTTP, phones and a projector over websockets."""

from __future__ import annotations

import asyncio
import io
import json
import re
import ssl
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from app.security import CSRF_COOKIE
from tests.utils.fragments import Page, attr, text

# httpx loads its CA bundle anew for every client it makes (~45 ms of CPU each): the suite makes
# some two thousand, so they share one loaded context (an http:// URL never uses it anyway).
TRUST = httpx.create_ssl_context()


def arm_csrf(http: httpx.Client | httpx.AsyncClient) -> None:
    """Echo the CSRF cookie (set by any earlier GET) in a header on every later request, as the
    pages do (sparring.js)."""
    http.headers["X-CSRF-Token"] = http.cookies.get(CSRF_COOKIE) or ""


class Facilitator:
    def __init__(self, base_url: str, tls: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=10, verify=tls or TRUST)

    def login(self, username: str, password: str) -> None:
        self.http.get("/facilitator/login")
        arm_csrf(self.http)
        r = self.http.post("/facilitator/login", data={"username": username, "password": password})
        assert r.status_code == 303, r.text

    def create_session(
        self,
        title: str,
        slugs: list[str],
        group_size: int = 4,
        fmt: str = "dilemma",
        **settings: str,
    ) -> str:
        """Settings are the form's other fields, e.g. areas="A\nB", results="projector"."""
        data = {"title": title, "group_size": group_size, "cases": slugs, "format": fmt}
        r = self.http.post("/facilitator/sessions", data={**data, **settings})
        assert r.status_code == 303, r.text
        return r.headers["location"].rsplit("/", 1)[-1]

    def act(self, code: str, path: str, **data: Any) -> str:
        """Press a control button; returns the flash text ('' when accepted)."""
        r = self.http.post(f"/facilitator/sessions/{code}/{path}", data=data)
        assert r.status_code == 200, r.text
        return text(r.text)

    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())


class LivePage:
    """One open page's websocket; `page` is what the screen shows after every push so far."""

    ROOTS: tuple[str, ...] = ()

    def __init__(self, ws_url: str, cookie: str, tls: ssl.SSLContext | None = None) -> None:
        self.ws_url = ws_url
        self.cookie = cookie
        self.tls = tls  # the CA to trust for wss:// (Caddy's own, behind the proxy)
        self.ws: ClientConnection | None = None
        self.page = Page(self.ROOTS)
        self.received: list[str] = []  # every push as sent, to prove what never arrived

    async def connect(self) -> None:
        self.page = Page(self.ROOTS)  # the server sends the whole view on every connect
        tls = {"ssl": self.tls} if self.tls else {}
        self.ws = await connect(
            self.ws_url, additional_headers={"Cookie": self.cookie}, open_timeout=5, **tls
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def until(
        self, check: Callable[[Page], bool], timeout: float = 5.0, what: str = ""
    ) -> Page:
        """Read pushes until the screen satisfies `check` (waits on the condition, never a fixed sleep)."""
        assert self.ws is not None
        if check(self.page):
            return self.page
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(
                    f"timed out waiting for {what or check}: {self.page.top.keys()}\n{self.page.top}"
                )
            try:
                message = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                continue
            self.received.append(str(message))
            self.page.apply(str(message))
            if check(self.page):
                return self.page

    async def shows(self, fid: str, needle: str, timeout: float = 5.0) -> Page:
        return await self.until(
            lambda p: needle in p.text(fid), timeout, f"#{fid} to show {needle!r}"
        )

    async def send(self, message: dict[str, Any] | str) -> str:
        """Send as the page does, with a fresh message id unless one is given; returns the id."""
        assert self.ws is not None
        if isinstance(message, str):
            await self.ws.send(message)
            return ""
        message = {"id": uuid.uuid4().hex, **message}
        await self.ws.send(json.dumps(message))
        return str(message["id"])


class Phone(LivePage):
    ROOTS = ("phone-header", "phone-flash", "phone-stage", "phone-dilemma")

    def __init__(
        self,
        base_url: str,
        alias: str = "",
        tls: ssl.SSLContext | None = None,
        local_address: str | None = None,
    ) -> None:
        super().__init__(base_url.replace("http", "ws", 1) + "/ws/p", "", tls)
        self.base_url = base_url
        self.alias = alias
        transport = httpx.AsyncHTTPTransport(local_address=local_address, verify=tls or TRUST)
        self.http = httpx.AsyncClient(base_url=base_url, timeout=10, transport=transport)

    async def join(self, code: str, connect: bool = True) -> httpx.Response:
        await self.http.get("/")
        arm_csrf(self.http)
        r = await self.http.post("/join", data={"code": code, "alias": self.alias})
        if r.status_code == 303:
            self.cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
            if connect:
                await self.connect()
        return r

    async def reply(self, mid: str, timeout: float = 10.0) -> str:
        """The flash text of the server's answer to message `mid` (an ack or a refusal).

        Call it right after sending: an earlier answer to the same id is forgotten first.
        """
        self.page.top["phone-flash"] = ""
        page = await self.until(
            lambda p: attr(p.html("phone-flash"), "data-msg") == mid, timeout, f"answer to {mid}"
        )
        return page.text("phone-flash")

    def case_id(self) -> str:
        found = re.search(r'name="case" value="(\d+)"', self.page.html("phone-stage"))
        assert found, self.page.html("phone-stage")
        return found.group(1)

    def number(self) -> int:
        match = re.search(r"(?:Deltager|Participant) (\d+)", self.page.text("phone-header"))
        assert match, self.page.text("phone-header")
        return int(match.group(1))

    def group(self) -> str:
        match = re.search(r"(?:Gruppe|Group) (\d+)", self.page.text("phone-header"))
        return match.group(1) if match else ""

    def phase(self) -> str:
        return attr(self.page.html("phone-stage"), "data-phase") or ""

    async def vote(self, option: str, reason: str = "", duty: str = "") -> None:
        await self.send(
            {
                "action": "vote",
                "case": self.case_id(),
                "option": option,
                "reason": reason,
                "duty": duty,
            }
        )
        await self.until(
            lambda p: f"Din stemme ({option}) er gemt" in p.text("vote-form"),
            what=f"vote {option} acked",
        )

    async def answer(self, option: str, reasoning: str, base_version: int, duty: str = "") -> None:
        await self.send(
            {
                "action": "answer",
                "case": self.case_id(),
                "option": option,
                "text": reasoning,
                "base_version": base_version,
                "duty": duty,
            }
        )

    def chosen_duty(self) -> str:
        """The duty the group-answer form shows as chosen: what the browser sends with it. Beside
        a newer saved version (its save refused), a duty it left unset is the saved one's, as
        sparring.js takes it."""
        form = self.page.html("answer-form")
        select = re.search(r'<select id="answer-duty".*?</select>', form, re.S)
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(0)) if select else None
        taken = re.search(r'data-take-duty="([^"]*)"', form)
        return chosen.group(1) if chosen else taken.group(1) if taken else ""

    async def aclose(self) -> None:
        await self.close()
        await self.http.aclose()


class Projector(LivePage):
    ROOTS = ("proj-header", "proj-stage", "timer", "progress", "proj-duties")

    def __init__(
        self, base_url: str, code: str, cookie: str, tls: ssl.SSLContext | None = None
    ) -> None:
        url = base_url.replace("http", "ws", 1) + f"/ws/projector/{code}"
        super().__init__(url, cookie, tls)

    def phase(self) -> str:
        return attr(self.page.html("proj-stage"), "data-phase") or ""


class Control(LivePage):
    ROOTS = (
        "ctl-status",
        "timer",
        "ctl-timer",
        "progress",
        "ctl-groups",
        "ctl-submissions",
        "ctl-texts",
        "ctl-flash",
    )

    def __init__(self, base_url: str, code: str, fac: Facilitator) -> None:
        super().__init__(
            base_url.replace("http", "ws", 1) + f"/ws/facilitator/{code}", fac.cookie()
        )


def page_text(http: httpx.Client, path: str) -> str:
    """A page or download as a reader gets its text (a PDF's extracted); anything but 200 fails."""
    from pypdf import PdfReader

    r = http.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    if path.endswith(".pdf"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    return r.text
