"""The content API's docs page in a real Chromium: Swagger UI renders under our CSP, from here."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Recorded by the page itself: every Content-Security-Policy violation the browser reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI}`);
});
"""


def test_the_api_docs_render_with_no_csp_violation_and_nothing_from_elsewhere(
    new_page, live_server
):
    page = new_page("docs")
    page.add_init_script(RECORD_VIOLATIONS)
    errors, elsewhere = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            request.url.startswith(("data:", live_server.url)) or elsewhere.append(request.url)
        ),
    )

    response = page.goto("/api/v1/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Newsroom content API" in page.locator(".swagger-ui .info .title").inner_text()
    # Every operation is listed, read from /api/v1/openapi.json.
    page.locator(".opblock-summary-path", has_text="/api/v1/stories/{slug}/").first.wait_for()
    assert page.locator(".opblock").count() >= 13
    # Opening one shows its parameters: the UI's scripts run, under the policy.
    page.locator(".opblock-summary", has_text="/api/v1/stories/").first.click()
    page.locator(".parameters-container").first.wait_for()

    assert page.evaluate("window.__cspViolations") == []
    assert [error for error in errors if "Content Security Policy" in error] == []
    assert errors == []
    assert elsewhere == []
