"""What a person would check on each screen: axe-core, tap targets, overflow, sizes, stray requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request

from tests.utils.html_checker import html_errors

AXE = Axe()  # axe-core bundled in the package and injected into the page: nothing is fetched
# The projector is read from the back of a room: hold it to the enhanced (AAA) contrast rule as well.
AXE_PROJECTOR = {
    "resultTypes": ["violations"],
    "rules": {"color-contrast-enhanced": {"enabled": True}},
}

# Everything a thumb can press. Radios and checkboxes count by the label that wraps them.
PHONE_METRICS = """() => {
  const de = document.documentElement;
  const small = [];
  const shown = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !el.closest('details:not([open]) > :not(summary)');
  };
  const targets = document.querySelectorAll(
    'button, a[href], summary, select, textarea, input:not([type=hidden])');
  for (const el of targets) {
    if (!shown(el)) continue;
    const box = (['radio', 'checkbox'].includes(el.type) && el.closest('label')) || el;
    const r = box.getBoundingClientRect();
    if (r.height < 44 || r.width < 44) {
      small.push(`${el.tagName.toLowerCase()} "${(box.innerText || el.name || '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  const sticksOut = el => el.getBoundingClientRect().right > de.clientWidth + 1;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => sticksOut(el) && ![...el.children].some(sticksOut))
    .slice(0, 3).map(el => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}"`);
  return {scrollWidth: de.scrollWidth, width: de.clientWidth, small, wide};
}"""

# The projector never scrolls: nothing on it may be taller or wider than its box.
PROJECTOR_METRICS = """() => {
  const de = document.documentElement;
  const over = [];
  for (const el of document.querySelectorAll('body, main, #proj-stage, .proj-side')) {
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) {
      over.push(`${el.id || el.className || el.tagName}: ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`);
    }
  }
  const sizes = sel => [...document.querySelectorAll(sel)]
    .filter(el => el.getClientRects().length)
    .map(el => parseFloat(getComputedStyle(el).fontSize));
  return {
    over,
    page: [de.scrollWidth, de.scrollHeight, de.clientWidth, de.clientHeight],
    caseText: sizes('#proj-stage #case-text p:not(.case-meta), #proj-stage #case-text li, #proj-stage .question, #proj-stage .prompts li'),
    joinCode: sizes('.join-code'),
  };
}"""


# The smallest text a person can see on the page: every visible text node's rendered font size
# (visually hidden text for screen readers aside), and whether anything is cut off or scrolls.
SMALLEST_TEXT = """() => {
  let min = Infinity, where = '';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim() || el.closest('.sr-only, [hidden], #conn')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (!box.width || !box.height || box.bottom > innerHeight || box.right > innerWidth) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < min) { min = px; where = `${el.tagName.toLowerCase()}.${el.className} "${node.textContent.trim().slice(0, 30)}"`; }
  }
  return {px: min === Infinity ? 0 : min, where};
}"""


# Words split across two lines ("Persone/r") that would have fitted on a line of their own: each
# word's boxes on the page against its box's width. A break at a hyphen or a slash is a real one,
# and a word wider than its whole box has to break somewhere.
BROKEN_WORDS = r"""() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode() && broken.length < 5) {
    const node = walker.currentNode;
    if (!node.parentElement || !node.parentElement.getClientRects().length) continue;
    for (const m of node.textContent.matchAll(/[^\s\-\/\u2013\u2014]{2,}/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width);
      const lines = new Set(rects.map(r => Math.round(r.top)));
      const wide = rects.reduce((sum, r) => sum + r.width, 0);
      if (lines.size > 1 && wide <= node.parentElement.clientWidth) broken.push(m[0]);
    }
  }
  return broken;
}"""


# Attribute names as the browser parsed them (SVG charts aside: their names are many and camelCase).
ATTRIBUTE_NAMES = """() => [...new Set([...document.querySelectorAll('*')]
  .filter(el => !el.closest('svg'))
  .flatMap(el => [...el.attributes].map(a => a.name)))]"""
# Jinja's whitespace trimming can glue two attributes into one unknown name ("requireddisabled").
HTML_ATTRIBUTES = frozenset(
    "accept action alt autocomplete autofocus charset checked class cols colspan content controls"  # noqa: SIM905
    " defer dir disabled download enctype for form formaction formmethod height hidden href id inert"
    " inputmode lang list max maxlength media method min minlength multiple name novalidate open"
    " pattern placeholder readonly rel required role rows rowspan selected size span src start step"
    " style tabindex target title type value width wrap".split()
)


def glued(name: str) -> bool:
    """Whether an attribute name is two (or more) known attribute names run together."""
    return name not in HTML_ATTRIBUTES and _splits(name)


def _splits(name: str) -> bool:
    return any(
        name[:i] in HTML_ATTRIBUTES and (name[i:] in HTML_ATTRIBUTES or _splits(name[i:]))
        for i in range(1, len(name))
    )


def glued_attributes(page: Page) -> list[str]:
    return [f"glued attributes: {n}" for n in page.evaluate(ATTRIBUTE_NAMES) if glued(n)]


def start_axe(page: Page, options: dict[str, Any] | None = None) -> None:
    """Start axe-core in the page and return at once: it runs in the page's renderer while the
    other pages' run, and axe_result collects it."""
    # Live pages swap fragments without navigating: inject axe-core once per page, not per look.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.axe_script)
    options = options or {"resultTypes": ["violations"]}
    page.evaluate("o => { window.__axeRun = axe.run(document, o); }", options)


def axe_result(page: Page) -> list[str]:
    """Serious and critical violations of the run start_axe began, one readable line each."""
    results = page.evaluate("() => window.__axeRun")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def axe_problems(page: Page, options: dict[str, Any] | None = None) -> list[str]:
    """Serious and critical axe-core violations, one readable line each."""
    start_axe(page, options)
    return axe_result(page)


def phone_problems(page: Page) -> list[str]:
    # One round trip: the tap targets and the broken words together.
    found: dict[str, Any] = page.evaluate(
        f"() => ({{...({PHONE_METRICS})(), broken: ({BROKEN_WORDS})()}})"
    )
    problems = [f"tap target under 44 px: {s}" for s in found["small"]]
    problems += [f"word broken over two lines: {w}" for w in found["broken"]]
    if found["scrollWidth"] > found["width"]:
        problems.append(
            f"scrolls sideways: {found['scrollWidth']} px in {found['width']} px"
            f" ({', '.join(found['wide'])})"
        )
    return problems


def zoomed_problems(page: Page) -> list[str]:
    """At 200 % zoom a phone lays the page out in half its CSS width: it must still not scroll sideways."""
    size = page.viewport_size
    assert size is not None
    page.set_viewport_size({"width": size["width"] // 2, "height": size["height"] // 2})
    try:
        found: dict[str, Any] = page.evaluate(PHONE_METRICS)
    finally:
        page.set_viewport_size(size)
    if found["scrollWidth"] > found["width"]:
        return [
            f"at 200 % zoom scrolls sideways: {found['scrollWidth']} px in {found['width']} px"
            f" ({', '.join(found['wide'])})"
        ]
    return []


PROJECTOR_MIN_PX = 28  # every text on the projector, read from the back of a room


def projector_problems(page: Page) -> list[str]:
    return projector_findings(page)[0]


def projector_findings(page: Page) -> tuple[list[str], float, str]:
    """What is wrong on the projector, and (px, which text) of its smallest text: one round trip."""
    found: dict[str, Any] = page.evaluate(
        f"() => ({{...({PROJECTOR_METRICS})(), smallest: ({SMALLEST_TEXT})()}})"
    )
    problems = [f"overflows: {o}" for o in found["over"]]
    px, where = float(found["smallest"]["px"]), str(found["smallest"]["where"])
    if px < PROJECTOR_MIN_PX:
        problems.append(f"text {px} px < {PROJECTOR_MIN_PX} px: {where}")
    problems += [f"case text {px} px < 32 px" for px in found["caseText"] if px < 32]
    problems += [f"join code {px} px < 120 px" for px in found["joinCode"] if px < 120]
    return problems, px, where


@dataclass
class Screens:
    """Looks at each audience's screen per phase: saves a screenshot, collects what is wrong
    (the Nu HTML checker's errors, axe-core's violations, the sizes and overflow below)."""

    shots: Path
    problems: list[str] = field(default_factory=list)

    def look(self, page: Page, audience: str, phase: str) -> None:
        self.look_all(phase, (page, audience))

    def look_all(self, phase: str, *views: tuple[Page, str]) -> None:
        """Each (page, audience) in this phase: screenshots first, then axe-core started in every
        page at once (each browser context is a renderer of its own), then each page's checks."""
        for page, audience in views:
            page.screenshot(path=str(self.shots / f"{audience}-{phase}.png"))
            # Valid HTML as the person has it: the page after its pushes and swaps.
            self.problems += [f"{audience} in {phase}: {e}" for e in html_errors(page.content())]
        for page, audience in views:
            start_axe(page, AXE_PROJECTOR if audience == "projector" else None)
        for page, audience in views:
            found = axe_result(page) + glued_attributes(page)
            if audience == "projector":
                found += projector_problems(page)
            elif audience.startswith("phone"):
                found += phone_problems(page) + zoomed_problems(page)
            self.problems += [f"{audience} in {phase}: {p}" for p in found]


@dataclass
class Requests:
    """Every request any page makes (none may leave the server), and what broke in its scripts."""

    origin: str
    seen: list[str] = field(default_factory=list)
    broken: list[str] = field(
        default_factory=list
    )  # script errors, Content-Security-Policy refusals, htmx's own errors

    def watch(self, context: BrowserContext) -> None:
        context.on("request", self._record)
        context.on("page", self._follow)

    def _follow(self, page: Page) -> None:
        page.on("websocket", lambda ws: self.seen.append(ws.url))
        page.on("pageerror", lambda error: self.broken.append(f"{page.url}: {error}"))
        page.on("console", lambda m: self._console(page, m))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        # htmx reports its own failures there too, e.g. a push for an element the page lacks.
        htmx_error = message.type == "error" and message.text.startswith("htmx:")
        if "Content Security Policy" in message.text or htmx_error:
            self.broken.append(f"{page.url}: {message.text}")

    def _record(self, request: Request) -> None:
        self.seen.append(request.url)

    def foreign(self) -> list[str]:
        local = (self.origin, self.origin.replace("http", "ws", 1), "data:", "blob:", "about:")
        return sorted({url for url in self.seen if not url.startswith(local)})


def new_window(opener: Page, width: int = 1920, height: int = 1080) -> Page:
    """Another window of the opener's browser (its cookies, its login), as the projector is on
    the facilitator's laptop. Not a second tab: a click on a page whose tab is behind another
    waits ~2 s to be shown (measured here: 40-90 ms in front, 2,000-2,050 ms behind)."""
    with opener.context.expect_page() as opened:
        opener.evaluate("() => { window.open('about:blank', '_blank', 'popup'); }")
    window = opened.value
    window.set_viewport_size({"width": width, "height": height})
    return window


def staff_pages(
    chromium: Browser, base_url: str, cookies: dict[str, str], code: str
) -> tuple[Page, Page]:
    """The facilitator's laptop, logged in (the cookies of an HTTP login): the control page at
    1440x900 and the projector window at 1920x1080."""
    staff = chromium.new_context(locale="da-DK")
    staff.add_cookies([{"name": k, "value": v, "url": base_url} for k, v in cookies.items()])
    control = staff.new_page()
    control.set_viewport_size({"width": 1440, "height": 900})
    control.goto(f"{base_url}/facilitator/sessions/{code}")
    projector = new_window(control)
    projector.goto(f"{base_url}/projector/{code}")
    return control, projector
