"""app/domain stays pure: only the standard library and app.domain itself, and no I/O.

The rules are imported by the routers, the websocket hub and the CLI; keeping them free of
databases, HTTP and files keeps them fast to test and impossible to couple to a request.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import app.domain

DOMAIN = Path(app.domain.__file__).parent
SOURCES = sorted(DOMAIN.glob("*.py"))

# Standard-library modules that do I/O (or run other programs): none belongs in the rules.
IO_MODULES = {
    "asyncio",
    "ftplib",
    "glob",
    "http",
    "io",
    "logging",
    "multiprocessing",
    "os",
    "pathlib",
    "pickle",
    "shelve",
    "shutil",
    "smtplib",
    "socket",
    "sqlite3",
    "subprocess",
    "tempfile",
    "threading",
    "urllib",
}
IO_CALLS = {"open", "input", "print", "__import__", "exec", "eval"}


def _is_domain(module: str) -> bool:
    return module == "app.domain" or module.startswith("app.domain.")


def import_problems(source: str) -> list[str]:
    """Every import in `source` that is neither standard library nor app.domain, or does I/O."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0:  # relative: stays inside the package
                continue
            assert node.module is not None
            if node.module == "app":
                modules = [f"app.{alias.name}" for alias in node.names]
            else:
                modules = [node.module]
        line = getattr(node, "lineno", 0)
        for module in modules:
            top = module.partition(".")[0]
            if _is_domain(module):
                continue
            if top not in sys.stdlib_module_names:
                problems.append(f"line {line}: {module} is not standard library")
            elif top in IO_MODULES:
                problems.append(f"line {line}: {module} does I/O")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in IO_CALLS
        ):
            problems.append(f"line {node.lineno}: calls {node.func.id}()")
    return problems


def test_the_domain_package_has_the_expected_modules() -> None:
    names = {p.name for p in SOURCES}
    assert {
        "__init__.py",
        "anonymise.py",
        "codes.py",
        "grouping.py",
        "phases.py",
        "tally.py",
        "visibility.py",
    } <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_domain_module_imports_only_stdlib_and_app_domain(path: Path) -> None:
    assert import_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import sqlmodel",
        "from fastapi import HTTPException",
        "import httpx as h",
        "from app.models import Session",
        "from app import db",
        "import app",
        "import os",
        "from pathlib import Path",
        "import sqlite3",
        "from urllib.request import urlopen",
        "def f():\n    import yaml\n",
        "open('x')",
        "print('x')",
        "__import__('requests')",
    ],
)
def test_the_checker_catches_impure_code(source: str) -> None:
    assert import_problems(source)


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations",
        "import re",
        "from collections.abc import Mapping",
        "import random, secrets",
        "from app.domain import RuleError",
        "from app.domain.phases import Phase",
        "from app import domain",
        "from . import phases",
        "from .phases import ORDER",
    ],
)
def test_the_checker_allows_pure_code(source: str) -> None:
    assert import_problems(source) == []
