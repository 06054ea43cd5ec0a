"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

They run where ``/usr/bin/chromium`` exists (``apt-get install -y chromium``; ``.ci/run``
installs it) and are skipped with that reason everywhere else. Playwright's own browser
download (``playwright install``) is never used. Leave them out with ``-m "not e2e"``.

Every test gets the live server (pytest-django's ``live_server``, a real HTTP server in a
thread on the test database) and ``new_page()`` for browser tabs, each in its own context
(its own cookies: an editor and a reader never share a session). When a test fails, a
screenshot of every tab it opened is written to ``test-artifacts/``. CI sets
``NEWSROOM_E2E_REQUIRED=1`` so that a missing browser fails there rather than skips.
"""

import io
import os
import re
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Long enough for a busy 2-core CI machine, short enough that a broken journey fails fast.
TIMEOUT_MS = 20_000
PASSWORD = "a-long-e2e-password"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None

SKIP_REASON = (
    f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if not CHROMIUM.exists()
    else "browser tests skipped: Playwright is not installed (pip install -e '.[dev]')"
    if sync_playwright is None
    else ""
)


# CI sets this: there a missing browser fails the tests instead of skipping them.
REQUIRED = os.environ.get("NEWSROOM_E2E_REQUIRED") == "1"


def pytest_collection_modifyitems(config, items):
    if not SKIP_REASON or REQUIRED:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Launch one headless Chromium per test module.

    Playwright's sync API runs an asyncio loop in this thread, which makes Django refuse
    database work here ("async unsafe") although nothing here is async; the flag tells it so
    while the browser is open.
    """
    if SKIP_REASON:
        pytest.fail(f"NEWSROOM_E2E_REQUIRED=1, but {SKIP_REASON}")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server, request) -> Iterator[Callable]:
    """Return ``new_page(name, **context_options)``: a tab in a fresh browser context.

    ``base_url`` is the live server, so ``page.goto("/")`` works. On failure every tab is
    photographed into test-artifacts/<test>-<name>.png.
    """
    contexts = []
    pages = []

    def open_page(name: str = "page", **options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append((name, page))
        return page

    yield open_page

    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for name, page in pages:
            try:
                page.screenshot(path=str(ARTIFACTS / f"{test_name}-{name}.png"), full_page=True)
            except Exception as error:  # a crashed tab must not hide the real failure
                print(f"no screenshot of {name}: {error}")
    for context in contexts:
        context.close()


def ensure_roles() -> None:
    """Create the role groups as their data migrations do.

    Transactional tests empty the database after each test (Django's flush), which also
    removes the groups that the migrations made; content types and permissions come back by
    themselves, the groups do not. The migrations' own ROLES tables say what each gets.
    """
    from django.contrib.auth.models import Group, Permission

    story_roles = import_module("articles.migrations.0002_roles").ROLES
    review_roles = import_module("reviews.migrations.0002_rules_and_roles").ROLES
    image_roles = import_module("images.migrations.0002_roles").ROLES
    embed_roles = import_module("embeds.migrations.0002_roles").ROLES
    team_roles = import_module("accounts.migrations.0001_administrators").ROLES
    wanted = {
        name: list(perms) for roles in (story_roles, team_roles) for name, perms in roles.items()
    }
    media_roles = (("images", image_roles), ("embeds", embed_roles))
    for app_label, roles in (("reviews", review_roles), *media_roles):
        for name, codenames in roles.items():
            wanted.setdefault(name, []).extend(f"{app_label}.{codename}" for codename in codenames)
    for name, perms in wanted.items():
        group, _created = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


@pytest.fixture
def roles_users(transactional_db, django_user_model):
    """Create an editor, an author (with an author profile) and a moderator in their groups."""
    from django.contrib.auth.models import Group

    from articles.models import Author

    ensure_roles()
    users = {}
    for username, group in (
        ("edna", "Editors"),
        ("arthur", "Authors"),
        ("mona", "Moderators"),
    ):
        user = django_user_model.objects.create_user(
            username, f"{username}@newsroom.example", PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        users[username] = user
    Author.objects.create(name="Arthur Dent", slug="arthur-dent", user=users["arthur"])
    return users


def log_in(page, username: str) -> None:
    """Log *username* into the admin through its login form."""
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def jpeg_bytes(size=(1600, 900), color=(40, 90, 140)) -> bytes:
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):
        for y in range(0, size[1], 40):
            image.putpixel((x, y), (250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


# axe impacts that fail a page.
BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> list[str]:
    """Return axe's serious and critical findings on *page*, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(
            f"{node['target']}: {node.get('failureSummary', '')}" for node in violation["nodes"][:5]
        )
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]
