"""The OpenAPI schema and its Swagger UI: behind sign-in, served from our static files, under CSP."""

import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from django.core.cache import cache
from django.test import Client

from navigator.middleware import CSP

DOCS = "/api/docs/"
SCHEMA = "/api/schema/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()


def test_the_docs_send_an_anonymous_browser_to_sign_in(client):
    response = client.get(DOCS)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"


def test_the_schema_needs_signing_in(client):
    assert client.get(SCHEMA).status_code == 401


def test_the_schema_describes_the_api(client, cast):
    client.force_login(cast.paul)
    response = client.get(SCHEMA)
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert {"/api/cases/", "/api/cases/{case_id}/", "/api/me/", "/api/token/"} <= set(
        schema["paths"]
    )
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_the_docs_page_loads_only_our_static_files_and_no_inline_code(client, cast):
    client.force_login(cast.nadia)
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    # Served under the site-wide policy: no exemption for this page.
    assert response["Content-Security-Policy"] == CSP
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 3
    assert all(body.strip() == "" for _, body in scripts), "inline script"
    sources = [re.search(r'src="([^"]+)"', attributes).group(1) for attributes, _ in scripts]
    assert sources[:2] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
    ]
    assert sources[2] == "/api/docs/?script="
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets == ["/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"]
    for url in sources[:2] + stylesheets:
        assert Client().get(url).status_code == 200, url


def test_the_docs_start_up_script_is_javascript_from_our_origin(client, cast):
    client.force_login(cast.nadia)
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert '"url": "/api/schema/"' in body or "/api/schema/" in body
    assert '"validatorUrl": null' in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_works_in_a_browser_under_our_csp(live_server, cast):
    """Chromium enforces the real header: any blocked script, style or request is reported."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian package 'chromium'; see `make chromium`)")
    client = Client()
    client.force_login(cast.nadia)
    session = client.cookies["sessionid"].value
    # In a thread of its own: Playwright's sync API refuses to start in a thread where another
    # Playwright (the browser tests' session-wide one) already runs its event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        title, violations, errors = pool.submit(
            _open_docs, chromium, live_server.url, session
        ).result(timeout=120)
    assert title.startswith("Cancer navigator API")
    assert violations == []
    assert errors == []


def _open_docs(chromium: str, base_url: str, session: str) -> tuple[str, list[str], list[str]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
        page = context.new_page()
        page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(base_url + DOCS)
        page.wait_for_selector("#swagger-ui .info .title", timeout=15000)
        title = page.inner_text("#swagger-ui .info .title")
        page.wait_for_selector("#operations-cases-cases_retrieve", timeout=15000)
        violations = page.evaluate("window.__csp")
        browser.close()
    return title, violations, errors
