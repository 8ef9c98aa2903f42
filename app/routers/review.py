"""Management (reviewer role): published summaries, trends per duty, downloads. Never live or raw data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session as Db

from app import audit, export, summaries
from app.deps import DbDep, ReviewerDep, WriterDep, current_reviewer, reading
from app.export.trends import duty_trends, recurring_duties
from app.models import User
from app.routers import signin
from app.web import templates

HOME = "/review"
public = APIRouter(prefix=HOME, tags=["review"])
signin.add_login_routes(public, "reviewer", HOME)
router = APIRouter(prefix=HOME, tags=["review"], dependencies=[Depends(current_reviewer)])


@router.get("", response_class=HTMLResponse)
def sessions(request: Request, db: DbDep, user: ReviewerDep) -> HTMLResponse:
    context = {"user": user, "published": summaries.published(db, user)}
    return templates.TemplateResponse(request, "review/sessions.html", context)


@router.get("/trends", response_class=HTMLResponse)
def trends(request: Request, db: DbDep, user: ReviewerDep) -> HTMLResponse:
    published = [summary for _, summary in summaries.published(db, user)]
    context = {
        "user": user,
        "trends": duty_trends(published),
        "recurring": recurring_duties(published),
        "count": len(published),
    }
    return templates.TemplateResponse(request, "review/trends.html", context)


@router.get("/sessions/{code}", response_class=HTMLResponse)
def summary_page(request: Request, code: str, db: DbDep, user: ReviewerDep) -> HTMLResponse:
    session, summary = summaries.published_summary(db, code, user)
    context = {"user": user, "session": session, "summary": summary}
    return templates.TemplateResponse(request, "review/summary.html", context)


@router.get("/sessions/{code}/summary.{fmt}", response_model=None)
async def download(
    request: Request, code: str, fmt: str, writer: WriterDep, user: ReviewerDep
) -> Response:
    response = await reading(request, _download, code, fmt, user)
    if response.status_code == 200:
        await writer.run(audit.entry, user, "summary.downloaded", code, fmt[:10])
    return response


def _download(_request: Request, db: Db, code: str, fmt: str, user: User) -> Response:
    session, summary = summaries.published_summary(db, code, user)
    return export.response(summary, session.code, fmt)
