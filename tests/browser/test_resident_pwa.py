"""The resident PWA end to end: enrol, sign out and in, passkeys, recovery codes, language,
elder mode and offline — with axe-core on every state and the strict CSP watched."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .harness import (
    PHONE,
    SHELL_CACHE,
    Server,
    VirtualAuthenticator,
    api_get,
    assert_accessible,
    assert_no_placeholder_text,
    catalog,
    shoot,
    shoot_phone,
    watch_console,
)

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
EN = catalog("en")


class Resident:
    """One phone: a browser context with its own cookie jar and authenticator."""

    def __init__(self, browser: Any, server: Server, *, autofill: bool = True) -> None:
        self.context = browser.new_context(
            base_url=server.base_url, viewport=PHONE, locale="zh-CN", service_workers="allow"
        )
        # Chrome's virtual authenticator answers a conditional (autofill) request at once, as
        # if the user picked the passkey; this switch hides autofill to test the button.
        self.context.add_init_script(
            "{ const PKC = window.PublicKeyCredential;"
            "  const available = PKC.isConditionalMediationAvailable.bind(PKC);"
            "  PKC.isConditionalMediationAvailable = async () =>"
            "    sessionStorage.getItem('test.no-autofill') ? false : available(); }"
        )
        if not autofill:
            self.context.add_init_script(
                "try { sessionStorage.setItem('test.no-autofill', '1') } catch (e) {}"
            )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.problems = watch_console(self.page)
        self.authenticator = VirtualAuthenticator(self.page)
        self.person = server.credentials["residents"][0]

    def autofill(self, on: bool) -> None:
        script = (
            "sessionStorage.removeItem('test.no-autofill')"
            if on
            else "sessionStorage.setItem('test.no-autofill', '1')"
        )
        self.page.evaluate(script)

    def h1(self) -> str:
        return self.page.locator("main h1").inner_text().strip()

    def me(self) -> dict[str, Any]:
        status, body = api_get(self.page, "/api/v1/me")
        assert status == 200, body
        return body

    def check(self, label: str) -> None:
        assert_accessible(self.page, label)
        assert_no_placeholder_text(self.page, label)
        assert not self.problems, self.problems


@pytest.fixture(scope="module")
def resident(browser: Any, server: Server) -> Iterator[Resident]:
    phone = Resident(browser, server)
    yield phone
    phone.context.close()


def saved_preferences(response: Any) -> bool:
    return response.url.endswith("/api/v1/me/preferences") and response.request.method == "PATCH"


def enrolled(resident: Resident) -> None:
    """Bring the shared phone to a signed-in state, so each test can also run alone: enrol if
    the authenticator holds no passkey yet, else let passkey autofill sign in."""
    page = resident.page
    if api_get(page, "/api/v1/me")[0] == 200:
        return
    page.goto("/")
    if resident.authenticator.credentials():
        page.wait_for_selector(".view-home .profile")
        return
    page.fill("#enrol-form input[name=name]", resident.person["name"])
    page.fill("#enrol-form input[name=id_number]", resident.person["id_number"])
    page.click("#enrol-form button[type=submit]")
    page.wait_for_selector(".view-home .profile")


def test_enrol_with_name_and_id_number(resident: Resident) -> None:
    page = resident.page
    page.goto("/")
    page.wait_for_selector(".view-home")  # signed out: "" route shows the welcome view
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert resident.h1() == ZH["pwa.welcome.heading"]
    assert page.locator("input[autocomplete='username webauthn']").count() == 1
    resident.check("welcome")
    shoot(page, "welcome")

    # A wrong check digit is caught in the browser, next to the field, before anything is sent.
    number = resident.person["id_number"]
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    page.fill("#enrol-form input[name=name]", resident.person["name"])
    page.fill("#enrol-form input[name=id_number]", wrong)
    page.click("#enrol-form button[type=submit]")
    field = page.locator("#enrol-form input[name=id_number]")
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator("[data-field=id_number] .field-error")
    assert error.inner_text() == ZH["pwa.id.check_digit"]
    assert error.get_attribute("id") in (field.get_attribute("aria-describedby") or "").split()
    assert field.evaluate("el => el === document.activeElement")
    resident.check("welcome with a field error")

    # A valid number with the wrong name: the server's localised problem shows in the alert.
    page.fill("#enrol-form input[name=name]", resident.person["name"] + "某")
    page.fill("#enrol-form input[name=id_number]", number)
    page.click("#enrol-form button[type=submit]")
    alert = page.locator("#enrol-form .form-alert")
    alert.wait_for()
    assert alert.inner_text() == ZH["error.identity_not_matched"]
    assert field.get_attribute("aria-invalid") is None

    page.fill("#enrol-form input[name=name]", resident.person["name"])
    page.click("#enrol-form button[type=submit]")
    page.wait_for_selector(".view-home .profile")
    me = resident.me()
    assert me["person"]["name"] == resident.person["name"]
    assert me["passkeys"] == 1
    assert resident.h1() == ZH["pwa.home.greeting"].format(name=me["display_name"])
    profile = page.locator(".profile").inner_text()
    assert me["person"]["id_number_masked"] in profile
    assert number not in page.content()  # never the full ID number
    assert page.locator(".notice.success").inner_text() == ZH["pwa.enrol.done"]
    assert len(resident.authenticator.credentials()) == 1
    resident.check("home")
    shoot(page, "home")


def test_sign_out_and_sign_in_with_passkey_button(resident: Resident) -> None:
    enrolled(resident)
    page = resident.page
    account = resident.me()["id"]
    resident.autofill(False)
    try:
        page.click("#signout")
        page.wait_for_selector("#signin-button")
        assert page.locator(".notice.success").inner_text() == ZH["pwa.signout.done"]
        assert api_get(page, "/api/v1/me")[0] == 401
        resident.check("signed out")

        page.click("#signin-button")
        page.wait_for_selector(".view-home .profile")
    finally:
        resident.autofill(True)
    assert resident.me()["id"] == account
    assert page.locator(".notice.success").inner_text() == ZH["pwa.signin.done"].format(
        name=resident.person["name"]
    )
    _, passkeys = api_get(page, "/api/v1/me/passkeys")
    assert passkeys["items"][0]["last_used_at"] is not None


def test_passkey_autofill_signs_in_without_a_click(resident: Resident) -> None:
    """The welcome page starts a conditional-mediation request on load; picking the passkey
    from autofill (here: the virtual authenticator answering it) signs in."""
    enrolled(resident)
    page = resident.page
    account = resident.me()["id"]
    calls: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: (
            calls.append((r.url.split("/api/v1/")[-1], r.status))
            if "/api/v1/log" in r.url
            else None
        ),
    )
    with page.expect_response(lambda r: r.url.endswith("/api/v1/login/finish")) as finish:
        page.click("#signout")
    assert finish.value.status == 200
    page.wait_for_selector(".view-home .profile")
    assert page.locator(".notice.success").inner_text() == ZH["pwa.signin.done"].format(
        name=resident.person["name"]
    )
    assert page.locator("#signin-button").count() == 0
    assert calls[:3] == [("logout", 204), ("login/start", 200), ("login/finish", 200)], calls
    assert resident.me()["id"] == account


def test_rename_add_and_remove_passkeys(resident: Resident) -> None:
    enrolled(resident)
    page = resident.page
    page.goto("/#/passkeys")
    page.wait_for_selector(".view-passkeys li.passkey")
    first_id = api_get(page, "/api/v1/me/passkeys")[1]["items"][0]["id"]

    # Rename
    page.click(f"li[data-passkey-id='{first_id}'] >> text={ZH['pwa.passkeys.rename']}")
    page.fill(f"li[data-passkey-id='{first_id}'] input[name=nickname]", "我的手机")
    page.click(f"li[data-passkey-id='{first_id}'] button[type=submit]")
    page.wait_for_selector(f"li[data-passkey-id='{first_id}'] h2:text-is('我的手机')")
    assert api_get(page, "/api/v1/me/passkeys")[1]["items"][0]["nickname"] == "我的手机"

    # The only passkey cannot be removed: the server's 409 is explained on the page.
    page.click(f"li[data-passkey-id='{first_id}'] button.danger")
    page.click(f"li[data-passkey-id='{first_id}'] .confirm button.danger")
    status = page.locator("#passkeys-status")
    status.wait_for()
    assert status.inner_text() == ZH["pwa.problem.last_passkey"]
    assert len(api_get(page, "/api/v1/me/passkeys")[1]["items"]) == 1
    resident.check("passkeys")
    shoot(page, "passkeys")

    # The skip link moves focus to the content without leaving the page.
    page.reload()
    page.wait_for_selector(".view-passkeys li.passkey")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.locator(".view-passkeys").count() == 1

    # Another device: a fresh authenticator registers a second passkey.
    original = resident.authenticator.replace()
    page.click("#add-passkey")
    page.wait_for_selector("li.passkey >> nth=1")
    items = api_get(page, "/api/v1/me/passkeys")[1]["items"]
    assert len(items) == 2
    assert page.locator("#passkey-count").inner_text() == ZH["pwa.passkeys.count"].format(count=2)
    assert page.locator(".notice.success").inner_text() == ZH["pwa.passkeys.added"]
    second_id = next(i["id"] for i in items if i["id"] != first_id)
    resident.check("passkeys with two")

    # …and removes it again.
    page.click(f"li[data-passkey-id='{second_id}'] button.danger")
    resident.check("passkeys confirm removal")
    page.click(f"li[data-passkey-id='{second_id}'] .confirm button.danger")
    page.wait_for_selector(f"li[data-passkey-id='{second_id}']", state="detached")
    items = api_get(page, "/api/v1/me/passkeys")[1]["items"]
    assert [i["id"] for i in items] == [first_id]
    assert page.locator("li.passkey").count() == 1
    resident.authenticator.restore(original)


def test_recovery_codes_are_shown_once_and_print_alone(resident: Resident) -> None:
    enrolled(resident)
    page = resident.page
    page.goto("/#/recovery-codes")
    page.wait_for_selector("#generate-codes")
    assert page.locator("#codes-left").inner_text() == ZH["pwa.recovery.left"].format(count=0)
    resident.check("recovery codes")
    page.click("#generate-codes")
    page.wait_for_selector("#recovery-codes li")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z0-9-]{6,}", c) for c in codes), codes
    assert resident.me()["recovery_codes_left"] == 10
    resident.check("recovery codes shown")
    shoot(page, "recovery-codes")

    page.emulate_media(media="print")
    try:
        assert page.locator("#recovery-codes").is_visible()
        assert not page.locator(".topbar").is_visible()
        assert not page.locator("#print-codes").is_visible()
        assert not page.locator("main h1").is_visible()
    finally:
        page.emulate_media(media="screen")


def test_access_log_empty_state(resident: Resident) -> None:
    # Before the recovery test below: a recovery is a look the resident sees.
    enrolled(resident)
    page = resident.page
    page.goto("/#/access")
    page.wait_for_selector("#access-empty")
    assert api_get(page, "/api/v1/me/access-log")[1]["items"] == []
    assert page.locator("#access-empty h2").inner_text() == ZH["pwa.access.empty_heading"]
    resident.check("access log (empty)")
    shoot(page, "access-empty")


def test_recovery_code_enrols_a_new_device(
    resident: Resident, browser: Any, server: Server
) -> None:
    enrolled(resident)
    page = resident.page
    if resident.me()["recovery_codes_left"] == 0:
        page.goto("/#/recovery-codes")
        page.click("#generate-codes")
        page.wait_for_selector("#recovery-codes li")
    account = resident.me()["id"]
    code = page.evaluate("fetch('/api/v1/me/recovery-codes', {method: 'POST', headers: "
                         "{'X-CSRF-Token': document.cookie.match(/xinyi_csrf=([^;]+)/)[1]}})"
                         ".then(r => r.json()).then(b => b.codes[0])")  # fmt: skip
    other = Resident(browser, server)
    try:
        other.page.goto("/#/recover")
        other.page.wait_for_selector(".view-recover form")
        other.check("recover with a recovery code")
        other.page.fill("input[name=id_number]", resident.person["id_number"])
        other.page.fill("input[name=recovery_code]", code)
        other.page.click("button[type=submit]")
        # The old passkeys are listed, none kept unless ticked (a lost phone's is removed).
        other.page.wait_for_selector(".keep-passkeys input[name=keep_passkeys]")
        assert other.page.locator(".keep-passkeys input:checked").count() == 0
        # Keep this one: the same resident's later tests sign in with it again.
        other.page.check(".keep-passkeys input[name=keep_passkeys]")
        other.page.click(".keep-passkeys button")
        other.page.wait_for_selector(".view-home .profile", timeout=30_000)
        me = other.me()
        assert me["id"] == account
        assert me["passkeys"] == 2  # the new one and the one kept
        assert me["recovery_codes_left"] == 9
    finally:
        other.context.close()


def test_switch_to_english_and_back(resident: Resident) -> None:
    enrolled(resident)
    page = resident.page
    page.goto("/")
    page.wait_for_selector(".view-home .profile")
    name = resident.person["name"]
    with page.expect_response(saved_preferences):
        page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    page.wait_for_selector(f"main h1:text-is('{EN['pwa.home.greeting'].format(name=name)}')")
    assert page.locator(".skip-link").inner_text() == EN["a11y.skip_to_content"]
    assert page.locator("#lang-toggle").inner_text() == "中文"
    assert resident.me()["locale"] == "en"
    resident.check("home in English")
    shoot(page, "english")
    with page.expect_request(lambda r: r.url.endswith("/api/v1/me")) as me_request:
        page.reload()
    page.wait_for_selector(".view-home .profile")
    assert page.locator("html").get_attribute("lang") == "en"  # remembered
    # API calls ask for the chosen language, so problem titles come back in English.
    assert me_request.value.headers.get("accept-language") == "en"

    with page.expect_response(saved_preferences):
        page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    page.wait_for_selector(f"main h1:text-is('{ZH['pwa.home.greeting'].format(name=name)}')")
    assert resident.me()["locale"] == "zh-CN"


def test_elder_mode_is_larger_and_simpler(resident: Resident) -> None:
    enrolled(resident)
    page = resident.page
    page.goto("/")
    page.wait_for_selector(".view-home .profile")
    size = "parseFloat(getComputedStyle(document.body).fontSize)"
    button = "parseFloat(getComputedStyle(document.querySelector('#signout')).minHeight)"
    normal, normal_button = page.evaluate(size), page.evaluate(button)
    assert page.locator(".tiles > li").count() == 12  # six credit services, six account tasks
    with page.expect_response(saved_preferences):
        page.click("#elder-toggle")
    page.wait_for_function("() => document.body.classList.contains('elder')")
    page.wait_for_selector(".tiles-elder")
    elder = page.evaluate(size)
    assert elder >= 20 and elder > normal
    assert page.evaluate(button) > normal_button
    assert page.locator("#elder-toggle").get_attribute("aria-pressed") == "true"
    # fewer choices: pass, score; access, family, help, settings
    assert page.locator(".tiles > li").count() == 6
    assert page.locator("#credit-tiles a").first.get_attribute("href") == "#/pass"
    page.wait_for_function("() => fetch('/api/v1/me').then(r => r.json()).then(b => b.elder_mode)")
    assert resident.me()["elder_mode"] is True
    resident.check("home in elder mode")
    shoot(page, "elder")
    page.goto("/#/settings")
    page.wait_for_selector("#elder-mode")
    assert page.locator("#elder-mode").is_checked()
    resident.check("settings in elder mode")
    with page.expect_response(saved_preferences):
        page.click("#elder-mode")
    page.wait_for_function("() => !document.body.classList.contains('elder')")
    assert resident.me()["elder_mode"] is False


def test_sign_out_everywhere_ends_other_sessions(
    resident: Resident, browser: Any, server: Server
) -> None:
    enrolled(resident)
    page = resident.page
    # A second device signs in with the same passkey.
    other = Resident(browser, server, autofill=False)
    try:
        other.authenticator.restore(resident.authenticator.credentials())
        other.page.goto("/")
        other.page.click("#signin-button")
        other.page.wait_for_selector(".view-home .profile")
        assert other.me()["id"] == resident.me()["id"]

        resident.autofill(False)
        page.goto("/#/settings")
        page.wait_for_selector("#signout-everywhere")
        resident.check("settings")
        page.click("#signout-everywhere")
        page.wait_for_selector("#signin-button")
        assert page.locator(".notice.success").inner_text() == ZH["pwa.signout.everywhere_done"]
        assert api_get(page, "/api/v1/me")[0] == 401
        assert api_get(other.page, "/api/v1/me")[0] == 401
        # The other phone notices on its next request and shows the sign-in page again.
        other.page.goto("/#/passkeys")
        other.page.wait_for_selector("#signin-button")
    finally:
        resident.autofill(True)
        # The copy signed in last, so it holds the higher signature counter: keep that one,
        # or the server would rightly refuse the older copy as a cloned authenticator.
        resident.authenticator.restore(other.authenticator.credentials())
        other.context.close()


def test_installable_and_the_cache_holds_only_the_shell(resident: Resident) -> None:
    enrolled(resident)
    page = resident.page
    page.goto("/")
    page.wait_for_selector(".view-home .profile")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    shoot_phone(page, "home.png")  # the README's picture: signed in, codes made
    cdp = resident.authenticator.cdp
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito, which alone blocks installing; nothing else may.
    assert [e for e in errors if e["errorId"] != "in-incognito"] == [], errors
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["url"].endswith("/manifest.webmanifest") and parsed["errors"] == [], parsed
    manifest = page.request.get("/manifest.webmanifest").json()
    assert manifest["short_name"] == "信易" and manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    purposes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).ok, icon
    cached = page.evaluate(
        "() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
        ".then(c => c.keys()).then(keys => [n, keys.map(k => new URL(k.url).pathname)]))))"
    )
    assert [name for name, _ in cached] == [SHELL_CACHE]
    paths = set(cached[0][1])
    build = page.locator("html").get_attribute("data-build")  # versioned shell URLs
    assert build and build != "dev"
    shell = f"/app/v/{build}/"
    assert {"/", "/manifest.webmanifest"} | {
        shell + p
        for p in ("styles.css", "js/app.js", "i18n/zh-CN.json",
                  "icons/icon-192.png", "js/views/pass.js")
    } <= paths  # fmt: skip
    assert not [p for p in paths if p.startswith("/api/")], paths


def test_first_visit_follows_the_browser_language(browser: Any, server: Server) -> None:
    context = browser.new_context(base_url=server.base_url, viewport=PHONE, locale="en-US")
    try:
        page = context.new_page()
        problems = watch_console(page)
        page.goto("/")
        page.wait_for_selector("#enrol-form")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("main h1").inner_text() == EN["pwa.welcome.heading"]
        assert page.locator("#elder-toggle").inner_text() == EN["pwa.elder.toggle"]
        assert_accessible(page, "welcome in English")
        # The wrong name for a valid ID number: the server answers in English too.
        person = server.credentials["residents"][2]
        page.fill("#enrol-form input[name=name]", "Nobody")
        page.fill("#enrol-form input[name=id_number]", person["id_number"])
        page.click("#enrol-form button[type=submit]")
        page.wait_for_selector("#enrol-form .form-alert:not([hidden])")
        assert (
            page.locator("#enrol-form .form-alert").inner_text() == EN["error.identity_not_matched"]
        )
        assert not problems, problems
    finally:
        context.close()


def test_offline_reload_still_shows_the_shell(resident: Resident) -> None:
    enrolled(resident)
    page = resident.page
    page.goto("/")
    page.wait_for_selector(".view-home .profile")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.wait_for_function(f"() => caches.has('{SHELL_CACHE}')")
    resident.context.set_offline(True)
    try:
        page.reload()
        page.wait_for_selector("#offline-banner:not([hidden])")
        assert page.locator(".brand").inner_text().strip() == ZH["app.name"]
        assert page.locator("#offline-banner").inner_text() == ZH["pwa.offline.banner"]
        assert resident.h1() == ZH["pwa.offline.heading"]
        assert page.locator("main .lead").inner_text() == ZH["pwa.offline.signed_in"]
        assert_accessible(page, "offline")
        assert_no_placeholder_text(page, "offline")
        shoot(page, "offline")
    finally:
        resident.context.set_offline(False)
    page.wait_for_selector(".view-home .profile")  # back online: the data comes back
    assert page.locator("#offline-banner").is_hidden()


# While the flag is set, the page's own fetch waits 1.5 s before asking /api/v1/me (a slow line
# at start-up), and the views shown and the certificates asked for are counted.
SLOW_START = """
(() => {
  if (!sessionStorage.getItem('test.slow-me')) return;
  window.__views = [];
  window.__passIssued = 0;
  const send = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    if (url === '/api/v1/me') {
      window.__meAsked = true;
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    if (url === '/api/v1/me/pass' && init?.method === 'POST') window.__passIssued += 1;
    return send(input, init);
  };
  document.addEventListener('DOMContentLoaded', () => new MutationObserver(
    () => window.__views.push(document.body.dataset.view)
  ).observe(document.body, {attributes: true, attributeFilter: ['data-view']}));
})();
"""


def test_a_link_followed_while_the_app_starts_keeps_me_signed_in(resident: Resident) -> None:
    """The app asks who is signed in before it picks a view: a link followed while that answer
    is on its way never shows a signed-in resident the welcome screen (whose passkey autofill
    would sign in again), and the view it names is drawn once, with one new certificate."""
    enrolled(resident)
    page = resident.page
    page.add_init_script(SLOW_START)
    page.evaluate("sessionStorage.setItem('test.slow-me', '1')")
    try:
        page.reload()
        page.wait_for_function("() => window.__meAsked === true")
        page.evaluate("location.hash = '#/pass'")  # the who-am-I answer is still 1.5 s away
        page.wait_for_selector("#pass-qr")
        assert page.evaluate("window.__views") == ["pass"]
        assert page.evaluate("window.__passIssued") == 1
        assert ZH["pwa.signin.needed"] not in page.locator("main").inner_text()
    finally:
        page.evaluate("sessionStorage.removeItem('test.slow-me')")
