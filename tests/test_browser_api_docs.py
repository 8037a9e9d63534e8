"""The API docs page works under the app's own CSP, with Swagger UI served by the app."""

import pytest

from tests.browser import browser_page, live_server, needs_chromium

pytestmark = [needs_chromium, pytest.mark.sqlite_only]


def test_api_docs_render_every_operation_with_no_outside_request(
    database_url: str, tmp_path
) -> None:
    with (
        live_server(database_url) as base,
        browser_page(viewport={"width": 1280, "height": 800}) as page,
    ):
        problems: list[str] = []
        outside: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(base) or r.url.startswith("data:")
                else outside.append(r.url)
            ),
        )
        page.goto(f"{base}/api/docs")
        page.wait_for_selector(".opblock", timeout=15000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        page.screenshot(path=str(tmp_path / "api-docs.png"), full_page=True)
    shown = {p.replace("\u200b", "") for p in paths}
    assert {
        "/api/v1/departments",
        "/api/v1/visits",
        "/api/v1/visits/{visit_id}",
        "/api/v1/themes",
        "/api/v1/surveys",
        "/api/v1/actions",
        "/api/v1/actions/{action_id}/status",
        "/api/v1/surveys/{name}/import",
        "/api/v1/reports/{survey}",
        "/api/v1/reports/{survey}/heatmap",
    } <= shown
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p] == []
