"""Hostile social text in a real browser: it shows as text and never acts.

XSS payloads (script tags, event handlers, ``javascript:``/``data:`` URLs, ``hx-*`` attributes,
RTL override and zero-width tricks, template syntax) arrive through the ingestion API in the
mention text, the author's display name and handle, and the post URL. They are then rendered
where staff read them: the queue, the mention page (its thread holds every payload), the
approval queue and review page, an incident page with the mentions linked, and a queue row
that arrives while the page is open (the htmx refresh a live event triggers).

On every page: no dialog, no console error or CSP violation, no request other than the app's
own known paths (GET only), no injected element or attribute in the DOM, external links only
http(s) with ``rel="noopener noreferrer nofollow"``, htmx configured without eval or script
tags, and the payloads visible as the literal text they are.
"""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from spokes.selectors import THREAD_EACH_SIDE

pytestmark = pytest.mark.browser

PAYLOADS = [
    '<script>alert("xss-script")</script>',
    '<img src=x onerror=alert("xss-img")>',
    '<svg onload=alert("xss-svg")></svg>',
    '<svg><script>alert("xss-svg-script")</script></svg>',
    '"><img src=x onerror=alert("xss-attr")>',
    "'><script>alert('xss-quote')</script>",
    "<a href=\"javascript:alert('xss-link')\">click me</a>",
    "<iframe src=\"javascript:alert('xss-frame')\"></iframe>",
    '<div hx-get="/injected-hx-get/" hx-trigger="load">hx-get</div>',
    '<button hx-post="/injected-hx-post/" hx-trigger="load" hx-vals=\'{"a":1}\'>hx</button>',
    '<div hx-on:htmx:load="alert(\'xss-hx-on\')" hx-on::load="alert(1)">hx-on</div>',
    '<div hx-on="htmx:load: alert(\'xss-hx-on-old\')" hx-trigger="load">hx-on old</div>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    "<img src=\"data:image/svg+xml,<svg onload=alert('xss-data')>\">",
    '<link rel=stylesheet href="https://evil.example/injected.css">',
    '<style>body{background:url("https://evil.example/injected.png")}</style>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/injected">',
    '<form action="https://evil.example/injected"><button>go</button></form>',
    '<base href="https://evil.example/injected/">',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert("xss-mxss")>',
    '<template><script>alert("xss-template")</script></template>',
    "<img src=x onerror=alert('xss-unclosed')//",
    "javascript:alert('xss-bare')",
    "Refund \u202eexe.tnemyap\u202c approved",
    "zero\u200bwidth\u200d\ufeff <scr\u200bipt>alert('xss-zw')</scr\u200bipt>",
    "{{ request.user.password }} {% debug %} {{ 7|add:7 }} ${7*7} #{7*7}",
    '{% load static %}{% include "base.html" %}',
    "&lt;script&gt;alert('xss-escaped')&lt;/script&gt;",
]
HOSTILE_URLS = [
    "javascript:alert('xss-url')",
    "JaVaScRiPt:alert('xss-url-case')",
    " javascript:alert('xss-url-space')",
    "java\u200bscript:alert('xss-url-zw')",
    "data:text/html,<script>alert('xss-url-data')</script>",
    "vbscript:msgbox('xss')",
    "//evil.example/injected",
    "ftp://evil.example/injected",
]
SAFE_URL = 'https://social.example/post/1?q="><script>alert(1)</script>'

# Paths the app's own pages ask for; anything else (above all /injected-*) is a leak.
KNOWN_PATH = re.compile(
    r"^/(static/.+|favicon\.ico|ws/live/|m/\d+/|d/billing/|incidents/(\d+/(panel/\w+/)?|"
    r"for-mention/\d+/)|replies/(approvals/|\d+/review/)|login/)$"
)
# The one request a page makes on its own that is not a GET: the review panel takes the reply.
KNOWN_POST = re.compile(r"^/replies/\d+/claim/$")
INJECTED = r"""() => {
  const found = [];
  const urlAttrs = ["href", "src", "action", "formaction", "data", "srcdoc", "poster",
                    "xlink:href", "background"];
  const scheme = /^(javascript|data|vbscript):/i;
  const invisible = /[\u0000-\u0020\u200b-\u200f\ufeff]/g;
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (tag === "script" && !el.getAttribute("src")) found.push("inline <script>");
    if (["iframe", "object", "embed", "base", "template", "style", "math"].includes(tag))
      found.push(`<${tag}>`);
    if (tag === "meta" && el.getAttribute("http-equiv")) found.push("<meta http-equiv>");
    if (tag === "link" && /evil/.test(el.getAttribute("href") || "")) found.push("<link evil>");
    if (tag === "img" && el.getAttribute("src") === "x") found.push("<img src=x>");
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith("on") || name.startsWith("hx-on") || name.startsWith("data-hx-on"))
        found.push(`${tag}[${name}]`);
      if (name.startsWith("hx-") && /injected/.test(value)) found.push(`${tag}[${name}=${value}]`);
      if (tag === "link" && el.rel === "icon" && value === "data:,") continue;  // base.html
      if (urlAttrs.includes(name) &&
          (scheme.test(value.replace(invisible, "")) || /evil\.example/.test(value)))
        found.push(`${tag}[${name}=${value}]`);
    }
  }
  return found;
}"""
EXTERNAL_LINKS = """(origin) => Array.from(document.querySelectorAll("a[href]"))
  .filter((a) => new URL(a.href, location.href).origin !== origin)
  .map((a) => ({href: a.getAttribute("href"), rel: a.getAttribute("rel") || ""}))"""


# --- the world ---------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _captured_events(published):
    """Live events are captured, not sent: the test thread runs Playwright's event loop."""
    return published


@pytest.fixture
def ingest(billing, admin_user):
    """POST /api/v1/mentions/ with a billing key; returns (status, json)."""
    from api.services import integration_key_create

    _, plain = integration_key_create(
        actor=admin_user, name="Listening tool", departments=[billing], scopes=["read", "write"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")

    def post(payload):
        response = client.post("/api/v1/mentions/", payload, format="json")
        return response.status_code, response.json()

    return post


def _item(index, text, **extra):
    return {
        "source": "twitter",
        "external_id": f"xss-{index}",
        "author": {
            "handle": f"h{index}{text}"[:150],
            "display_name": text[:200],
            "followers": 10,
        },
        "text": text,
        "department": "billing",
        **extra,
    }


@pytest.fixture
def hostile(ingest):
    """The root mention and one hostile reply in its thread per payload; ids by payload."""
    status, root = ingest(_item("root", "Root of a hostile thread", url=SAFE_URL))
    assert status == 201, root
    ids = {}
    for index, payload in enumerate(PAYLOADS):
        status, body = ingest(_item(index, payload, parent_external_id="xss-root"))
        assert status == 201, (payload, body)
        ids[payload] = body["id"]
    refused = {}
    for index, url in enumerate(HOSTILE_URLS):
        item = _item(f"url-{index}", f"Hostile URL {index}", url=url)
        status, body = ingest(item)
        refused[url] = status
        if status == 400:  # refused at the door, naming the field
            assert "url" in body["error"]["fields"], body
            item.pop("url")
            status, body = ingest(item)
        assert status == 201, (url, body)
        ids[url] = body["id"]
    return {"root": root["id"], "ids": ids, "refused": refused}


@pytest.fixture
def pending_replies(hostile, billing, agent):
    """Replies with hostile text on hostile mentions, waiting for central comms."""
    from hub.models import DepartmentPolicy
    from replies import services

    DepartmentPolicy.objects.update_or_create(
        department=billing, defaults={"require_approval_all": True}
    )
    replies = []
    for payload in PAYLOADS[:12]:
        reply = services.reply_draft(actor=agent, mention_id=hostile["ids"][payload], text=payload)
        reply = services.reply_submit(actor=agent, reply_id=reply.pk)
        assert reply.state == "pending_approval"
        replies.append(reply.pk)
    return replies


@pytest.fixture
def incident(hostile, billing, comms):
    from incidents import services

    incident = services.incident_declare(
        actor=comms, title="Checkout outage", departments=[billing], keywords=["checkout"]
    )
    for mention_id in [hostile["root"], *hostile["ids"].values()]:
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=mention_id)
    return incident


# --- the watched browser -----------------------------------------------------------------------
class Watch:
    """What a page did: dialogs, console errors, uncaught exceptions, requests."""

    def __init__(self, origin: str):
        self.origin = origin
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[tuple[str, str]] = []

    def on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def unexpected_requests(self) -> list[str]:
        bad = []
        for method, url in self.requests:
            if not url.startswith(self.origin + "/"):
                bad.append(f"{method} {url} (another origin)")
                continue
            path = url[len(self.origin) :].split("?")[0]
            known = KNOWN_PATH if method == "GET" else KNOWN_POST if method == "POST" else None
            if known is None or not known.match(path):
                bad.append(f"{method} {url}")
        return bad


@pytest.fixture
def browse(page, live_server, published):
    """``browse(user)`` -> (page signed in as ``user``, its Watch)."""
    origin = live_server.url
    watch = Watch(origin)
    page.set_default_timeout(10_000)
    page.add_init_script(
        'document.addEventListener("securitypolicyviolation", (e) => console.error('
        '`CSP violation: ${e.violatedDirective} ${e.blockedURI || "inline"}`));'
    )
    page.route_web_socket(re.compile(r"/ws/live/$"), lambda ws: None)  # no websocket here
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.on("dialog", watch.on_dialog)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: watch.errors.append(f"uncaught: {exc}"))
    page.on("request", lambda r: watch.requests.append((r.method, r.url)))

    def sign_in(user):
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": origin}]
        )
        return page, watch

    return sign_in


def _visit(page, watch, path: str):
    response = page.goto(watch.origin + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")


def _assert_harmless(page, watch, where: str, shown=()):
    """Nothing executed, nothing injected, nothing fetched; ``shown`` texts visible verbatim."""
    page.wait_for_timeout(300)  # let any load-triggered handler fire
    assert not watch.dialogs, f"{where}: dialogs {watch.dialogs}"
    assert not watch.errors, f"{where}: console errors {watch.errors}"
    assert not watch.unexpected_requests(), f"{where}: requests {watch.unexpected_requests()}"
    assert page.evaluate(INJECTED) == [], f"{where}: injected markup {page.evaluate(INJECTED)}"
    assert page.locator("img[src=x]").count() == 0
    for link in page.evaluate(EXTERNAL_LINKS, watch.origin):
        assert re.match(r"^https?://", link["href"]), f"{where}: link {link}"
        assert {"noopener", "noreferrer", "nofollow"} <= set(link["rel"].split()), where
    config = page.evaluate("({eval: htmx.config.allowEval, scripts: htmx.config.allowScriptTags})")
    assert config == {"eval": False, "scripts": False}, where
    text = page.locator("body").inner_text()
    for payload in shown:
        assert payload.strip() in text, f"{where}: {payload!r} is not shown as text"


# --- tests -------------------------------------------------------------------------------------
def test_script_and_data_urls_are_refused_at_ingestion(hostile):
    refused = {url for url, status in hostile["refused"].items() if status == 400}
    assert refused >= {url for url in HOSTILE_URLS if not url.startswith("ftp:")}


def test_a_mention_page_links_only_http_urls(browse, hostile, agent):
    page, watch = browse(agent)
    for url in HOSTILE_URLS:
        _visit(page, watch, f"/m/{hostile['ids'][url]}/")
        _assert_harmless(page, watch, f"mention with url {url!r}")
        assert page.get_by_role("link", name="Open original").count() == 0


def test_the_queue_shows_hostile_mentions_as_text(browse, hostile, agent):
    page, watch = browse(agent)
    _visit(page, watch, "/d/billing/")
    assert page.locator("#queue-rows tr[data-mention-id]").count() == len(hostile["ids"]) + 1
    short = [p for p in PAYLOADS if len(p) <= 100]  # the queue truncates long texts
    _assert_harmless(page, watch, "queue", shown=short)


def test_the_mention_page_and_its_thread_show_hostile_text(browse, hostile, agent):
    page, watch = browse(agent)
    _visit(page, watch, f"/m/{hostile['root']}/")
    _assert_harmless(page, watch, "mention thread", shown=PAYLOADS[:THREAD_EACH_SIDE])
    original = page.get_by_role("link", name="Open original")
    assert original.get_attribute("href") == SAFE_URL
    # A long thread is shown around the mention: the last reply's page shows the others.
    assert len(PAYLOADS) <= 2 * THREAD_EACH_SIDE + 1
    _visit(page, watch, f"/m/{hostile['ids'][PAYLOADS[-1]]}/")
    end = PAYLOADS[-(THREAD_EACH_SIDE + 1) :]
    _assert_harmless(page, watch, "end of the mention thread", shown=end)
    for payload in PAYLOADS[:4] + PAYLOADS[6:12] + PAYLOADS[22:25]:
        _visit(page, watch, f"/m/{hostile['ids'][payload]}/")
        _assert_harmless(page, watch, f"mention {payload!r}", shown=[payload])


def test_the_approval_queue_and_review_show_hostile_text(browse, pending_replies, comms):
    page, watch = browse(comms)
    _visit(page, watch, "/replies/approvals/")
    assert page.locator("a[href*='/review/']").count() == len(pending_replies)
    _assert_harmless(page, watch, "approval queue")
    for reply_id in pending_replies[:6]:
        _visit(page, watch, f"/replies/{reply_id}/review/")
        _assert_harmless(page, watch, f"review of reply {reply_id}")


def test_an_incident_page_with_hostile_mentions_linked(browse, incident, hostile, comms):
    page, watch = browse(comms)
    _visit(page, watch, f"/incidents/{incident.pk}/")
    short = [p for p in PAYLOADS if len(p) <= 100]
    _assert_harmless(page, watch, "incident", shown=short)


def test_a_hostile_row_arriving_live_stays_text(browse, hostile, ingest, agent):
    page, watch = browse(agent)
    _visit(page, watch, "/d/billing/")
    arrived = []
    for index, payload in enumerate(PAYLOADS[:12]):
        status, body = ingest(_item(f"live-{index}", payload))
        assert status == 201, body
        arrived.append(body["id"])
    page.evaluate("htmx.trigger('#queue', 'live-refresh')")
    for mention_id in arrived:
        page.locator(f"#queue-rows tr[data-mention-id='{mention_id}']").wait_for()
    _assert_harmless(page, watch, "live-pushed rows", shown=PAYLOADS[:12])
