"""Anyone's language switch: a cookie that beats the browser's Accept-Language."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from app import i18n

router = APIRouter(tags=["language"])


@router.get("/lang/{lang}")
def switch(lang: str, next: str = "/") -> RedirectResponse:
    """Remember the pick for a year and go back to the page it was made on (on this site only)."""
    here = next if next.startswith("/") and not next.startswith(("//", "/\\")) else "/"
    response = RedirectResponse(here, status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
