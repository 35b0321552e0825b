#!/usr/bin/env python3
"""Opens nova-conform's HTML report in headless Chromium (WebDriver) and checks it against the
JSON report of the same run.

    check_report.py --html R.html --json R.json [--screenshot PNG] [--self-test]

Checks, each printed as `browser: ok: ...` or `browser: FAIL: ...`:
  - the page loads from its file:// URL with no other request (it is self-contained);
  - per profile, the matrix has one cell per JSON result (the same case ids) and exactly as
    many pass / fail / error / skip cells as the JSON's counts;
  - a click on the first failing cell opens the detail panel on that case, showing its request
    (method, path, every request header, hence the microversion header, and body), its answer
    (status line, body), the oracle's expectation (status, fault, message) and the mismatches;
  - the same for the first Error cell (with its reason); a click on an accepted and on a
    refused passing cell shows its expectation and its own exchange, and one on a passing
    case that the JSON keeps no exchange for (the default small reports) shows a request and
    an answer labelled as its class representative's;
  - a click on the first entry of "Not passing, by expectation rule" opens that case, and
    `?case=<id>` opens that case;
  - nothing was logged at level SEVERE in the console (uncaught errors, failed loads).
A screenshot of the opened failing cell is written to --screenshot.

--self-test then loads mutants of the report (clicks that do nothing, an expectation not shown
or without its status, an exchange without its status line, the panel showing the next case, a
failing cell missing, a script error) and fails unless each one fails the check it aims at:
the checks above can fail. It runs only when the report itself passes.

The browser is Debian's chromium and chromium-driver ($CHROMIUM_BIN, $CHROMEDRIVER_BIN; default
/usr/bin/chromium, /usr/bin/chromedriver), run as root with --no-sandbox, headless, with the
network off. Exit codes: 0 every check passed, 1 a check failed, 2 bad arguments or reports,
3 the browser could not be started.
"""

import argparse
import json
import re
import os
import pathlib
import sys
import tempfile
import time

PREFIX = "browser: "
VERDICTS = ("pass", "fail", "error", "skip")


class Usage(Exception):
    """Bad arguments or unreadable reports: exit 2."""


class NoBrowser(Exception):
    """Chromium or chromedriver missing or not starting: exit 3."""


def say(msg):
    print(PREFIX + msg, flush=True)


# --- the browser ------------------------------------------------------------------------------


def start_browser():
    # Imported here so that --help and the argument errors work without the venv.
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    driver_bin = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
    for path in (chromium, driver_bin):
        if not os.access(path, os.X_OK):
            raise NoBrowser("%s is missing (apt-get install chromium chromium-driver)" % path)
    # Selenium Manager would fetch a driver or a browser: never (no network but the registries).
    os.environ.setdefault("SE_OFFLINE", "true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--force-device-scale-factor=1",
        # No network: every host resolves to nothing, and no proxy lookups or background
        # services (the report must need none of it).
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--no-proxy-server",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + tempfile.mkdtemp(prefix="nova-conform-chromium-"),
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which would download a driver) is not used.
    service = Service(executable_path=driver_bin, log_output=os.devnull)
    try:
        return webdriver.Chrome(service=service, options=opts)
    except WebDriverException as exc:
        raise NoBrowser("chromium did not start: %s" % str(exc.msg or exc).strip().splitlines()[0]) from None


# --- reading the page -------------------------------------------------------------------------

MATRIX_JS = """
const out = {};
document.querySelectorAll("td[data-case]").forEach(td => {
  const p = td.dataset.p;
  out[p] = out[p] || {ids: [], counts: {pass: 0, fail: 0, error: 0, skip: 0, other: 0}};
  out[p].ids.push(td.dataset.case);
  const v = ["pass", "fail", "error", "skip"].filter(k => td.classList.contains(k));
  out[p].counts[v.length === 1 ? v[0] : "other"]++;
});
return out;
"""

# The cold-vs-live matrix: per cell its profile, position, colour and "d of n diverge" title.
CONSISTENCY_JS = """
return [...document.querySelectorAll("td[data-cx]")].map(td => ({
  p: +td.dataset.cp, cx: td.dataset.cx, cls: td.className, title: td.title,
}));
"""

DETAIL_JS = """
const box = document.getElementById("detail");
if (!box) return null;
const text = sel => { const e = box.querySelector(sel); return e ? e.textContent : null; };
return {
  open: box.classList.contains("open") && box.offsetWidth > 0,
  case: box.dataset.case || null,
  verdict: text("[data-role=verdict]"),
  expected: text("[data-role=expected]"),
  observed: text("[data-role=observed]"),
  exchange: text("[data-role=exchange]"),
  text: box.textContent,
};
"""


class Page:
    def __init__(self, driver):
        self.d = driver

    def load(self, url):
        self.d.get(url)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.d.execute_script("return document.readyState") == "complete":
                return
            time.sleep(0.05)
        raise AssertionError("the page did not finish loading in 15 s")

    def close_detail(self):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.d.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

    def click(self, css):
        """A real click (WebDriver moves the pointer there) on the element matching css."""
        from selenium.webdriver.common.by import By

        found = self.d.find_elements(By.CSS_SELECTOR, css)
        if len(found) != 1:
            raise AssertionError("%d elements match %s (want 1)" % (len(found), css))
        el = found[0]
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", el)
        el.click()

    def detail(self):
        return self.d.execute_script(DETAIL_JS)

    def severe_logs(self):
        # Reading the log empties it: each page gets its own.
        return [e["message"] for e in self.d.get_log("browser") if e.get("level") == "SEVERE"]

    def resources(self):
        """URLs the page loaded besides itself (scripts, styles, images, fetches)."""
        return self.d.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )


# --- the checks -------------------------------------------------------------------------------


def header_lines(headers):
    return ["%s: %s" % (k, v) for k, v in headers]


def exchange_lines(ex):
    """What the panel must show of a JSON exchange: request line, headers and body; answer."""
    req = ex["request"]
    lines = ["%s %s" % (req["method"], req["path"])] + header_lines(req["headers"])
    if req.get("body"):
        lines.append(req["body"])
    resp = ex.get("response")
    if resp is None:
        lines.append("(no response)")
    else:
        lines.append("HTTP %s" % resp["status"])
        lines += header_lines(resp["headers"])
        if resp.get("body"):
            lines.append(resp["body"])
    return lines


def version_header(ex):
    """The microversion header the request carried, as shown (`openstack-api-version: ...`)."""
    for k, v in ex["request"]["headers"]:
        if k.lower() in ("openstack-api-version", "x-openstack-nova-api-version"):
            return "%s: %s" % (k, v)
    return None


class Checks:
    def __init__(self, page, report, quiet=False):
        self.page = page
        self.report = report
        self.quiet = quiet
        self.failed = []
        self.passed = 0

    def ok(self, msg):
        self.passed += 1
        if not self.quiet:
            say("ok: " + msg)

    def fail(self, msg):
        self.failed.append(msg)
        if not self.quiet:
            say("FAIL: " + msg)

    def check(self, cond, ok_msg, fail_msg):
        (self.ok if cond else self.fail)(ok_msg if cond else fail_msg)
        return cond

    # Each step catches its own failure so that one broken step still lets the others report.
    def step(self, name, fn, *args):
        try:
            fn(*args)
        except AssertionError as exc:
            self.fail("%s: %s" % (name, exc))
        except Exception as exc:  # a WebDriver error (element not clickable, script error...)
            self.fail("%s: %s: %s" % (name, type(exc).__name__, str(getattr(exc, "msg", None) or exc).strip().splitlines()[0]))

    def matrix(self):
        got = self.page.d.execute_script(MATRIX_JS)
        runs = self.report["runs"]
        self.check(len(got) == len(runs), "%d profile matrix(es), as in the JSON" % len(runs),
                   "%d profile matrices in the page, %d runs in the JSON" % (len(got), len(runs)))
        for p, run in enumerate(runs):
            cells = got.get(str(p), {"ids": [], "counts": {}})
            want_ids = [r["id"] for r in run["results"]]
            name = "profile %s" % run["profile"]
            self.check(
                len(cells["ids"]) == len(want_ids) and sorted(cells["ids"]) == sorted(want_ids),
                "%s: %d cells, the JSON's %d case ids" % (name, len(cells["ids"]), len(want_ids)),
                "%s: %d cells (%d distinct) for %d JSON results; missing %s, extra %s" % (
                    name, len(cells["ids"]), len(set(cells["ids"])), len(want_ids),
                    sorted(set(want_ids) - set(cells["ids"]))[:5], sorted(set(cells["ids"]) - set(want_ids))[:5]),
            )
            want = {k: run["counts"][k] for k in VERDICTS}
            have = {k: cells["counts"].get(k, 0) for k in VERDICTS}
            self.check(
                have == want and cells["counts"].get("other", 0) == 0,
                "%s: cells by verdict %s, as the JSON's counts" % (name, fmt_counts(have)),
                "%s: cells by verdict %s (+%d without one), the JSON says %s" % (
                    name, fmt_counts(have), cells["counts"].get("other", 0), fmt_counts(want)),
            )

    def consistency(self):
        """The second matrix: its cells add up to the JSON's compared and diverging classes,
        each coloured by its own counts, and a click on a diverging cell lists its classes with
        both outcomes."""
        cells = self.page.d.execute_script(CONSISTENCY_JS)
        for p, run in enumerate(self.report["runs"]):
            c = run.get("consistency")
            mine = [x for x in cells if x["p"] == p]
            name = "profile %s" % run["profile"]
            if c is None:
                self.check(not mine, "%s: no consistency matrix (nothing sent both ways)" % name,
                           "%s: %d consistency cells, the JSON has no consistency" % (name, len(mine)))
                continue
            counts = []
            for x in mine:
                m = re.search(r": (\d+) of (\d+) diverge$", x["title"])
                if not m:
                    raise AssertionError("%s: consistency cell %s has title %r" % (name, x["cx"], x["title"]))
                d, n = int(m.group(1)), int(m.group(2))
                want = "same" if d == 0 else ("div" if d == n else "div part")
                if x["cls"].split(" sel")[0] != want:
                    raise AssertionError("%s: cell %s (%d of %d) is %r, not %r" % (name, x["cx"], d, n, x["cls"], want))
                counts.append((d, n))
            self.check(
                sum(n for _, n in counts) == c["compared"] and sum(d for d, _ in counts) == c["diverging"],
                "%s: consistency matrix, %d classes (%d diverging) as in the JSON" % (name, c["compared"], c["diverging"]),
                "%s: consistency cells add up to %d/%d, the JSON says %d compared, %d diverging" % (
                    name, sum(n for _, n in counts), sum(d for d, _ in counts), c["compared"], c["diverging"]),
            )
            hit = next((x for x in mine if x["cls"].startswith("div")), None)
            if hit is None:
                continue
            self.page.close_detail()
            self.page.click('td[data-cp="%d"][data-cx="%s"]' % (p, hit["cx"]))
            got = self.page.detail()
            diverging = [k for k in c["classes"] if k.get("divergence") is not None]
            shown = [k for k in diverging if k["cold_outcome"] in got["text"] and k["live_outcome"] in got["text"]]
            self.check(got["open"] and shown, "%s: a diverging cell lists its classes' cold and live outcomes" % name,
                       "%s: a click on consistency cell %s showed %r" % (name, hit["cx"], got["text"][:200]))

    def open_case(self, p, result):
        """Click the case's cell; the panel must then show that case."""
        self.page.close_detail()
        shut = self.page.detail()
        if shut is None:
            raise AssertionError("no #detail panel in the page")
        if shut["open"]:
            raise AssertionError("the detail panel does not close (Escape)")
        self.page.click('td[data-p="%d"][data-case="%s"]' % (p, result["id"]))
        got = self.page.detail()
        if not got["open"]:
            raise AssertionError("a click on %s's cell opened no detail panel" % result["id"])
        if got["case"] != result["id"]:
            raise AssertionError("a click on %s's cell shows case %s" % (result["id"], got["case"]))
        return got

    def expectation(self, got, result):
        e = result.get("expected")
        if e is None:
            return
        shown = got["expected"]
        if shown is None:
            raise AssertionError("%s: the oracle's expectation is not shown" % result["id"])
        want = [str(e["status"]), e["rule"]] + [x for x in (e.get("fault"), e.get("message")) if x]
        missing = [w for w in want if w not in shown]
        if missing:
            raise AssertionError("%s: the expectation shown (%r) lacks %r" % (result["id"], shown[:200], missing))

    def own_exchange(self, got, result):
        shown = got["exchange"]
        if shown is None:
            raise AssertionError("%s: no exchange shown" % result["id"])
        missing = [line for line in exchange_lines(result["exchange"]) if line not in shown.splitlines()]
        if missing:
            raise AssertionError("%s: the exchange shown lacks the line(s) %r" % (result["id"], missing[:3]))

    def failing_cell(self, p, result, shot):
        got = self.open_case(p, result)
        if (got["verdict"] or "").strip().lower() != result["verdict"]:
            raise AssertionError("%s: verdict shown %r, the JSON's is %r" % (result["id"], got["verdict"], result["verdict"]))
        self.own_exchange(got, result)
        self.expectation(got, result)
        for m in result.get("mismatches", []):
            for part in (m["what"], m["expected"], m["got"]):
                if part not in got["text"]:
                    raise AssertionError("%s: the mismatch %r is not shown" % (result["id"], part))
        if result.get("reason") and result["reason"] not in got["text"]:
            raise AssertionError("%s: the reason %r is not shown" % (result["id"], result["reason"]))
        ex = result["exchange"]
        self.ok("%s cell %s (%s): %s %s with `%s` -> HTTP %s shown, expected %s%s, %d mismatch(es)" % (
            result["verdict"], result["id"], result["name"], ex["request"]["method"], ex["request"]["path"],
            version_header(ex), ex["response"]["status"] if ex.get("response") else "none",
            result["expected"]["status"], " " + result["expected"]["fault"] if result["expected"].get("fault") else "",
            len(result.get("mismatches", []))))
        if shot:
            self.page.d.save_screenshot(shot)
            data = pathlib.Path(shot).read_bytes()
            if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 10_000:
                raise AssertionError("the screenshot %s is not a PNG of a page (%d bytes)" % (shot, len(data)))
            self.ok("screenshot of the opened cell: %s (%d bytes)" % (shot, len(data)))

    def passing_cell(self, p, result, what):
        got = self.open_case(p, result)
        if result.get("exchange"):
            self.expectation(got, result)
            self.own_exchange(got, result)
            self.ok("%s cell %s: its own exchange and expectation shown" % (what, result["id"]))
            return
        # Reports that keep exchanges only for failures and class representatives (JSON
        # schema 2: the row is `elided`, with its `class` and `rule`): the panel shows the
        # representative's exchange, labelled so, and the case's own rule.
        text = got["text"]
        if "representative" not in text.lower():
            raise AssertionError("%s: an exchange that is not the case's own is not labelled as its class representative's" % result["id"])
        if result.get("rule") and result["rule"] not in text:
            raise AssertionError("%s: its rule %s is not shown" % (result["id"], result["rule"]))
        run = self.report["runs"][p]
        classes = run.get("classes") or []
        cls = result.get("class")
        rep_id = classes[cls].get("representative") if isinstance(cls, int) and cls < len(classes) else None
        rep = next((r for r in run["results"] if r.get("exchange") and r["id"] == rep_id), None)
        if rep is None:
            raise AssertionError("%s: the JSON names no representative with an exchange for its class %r" % (result["id"], cls))
        if rep["id"] not in text:
            raise AssertionError("%s: the representative %s is not named" % (result["id"], rep["id"]))
        self.own_exchange(got, rep)
        self.ok("%s cell %s: the exchange of its class representative %s, labelled so" % (what, result["id"], rep["id"]))

    def failure_link(self, p, result):
        # The list is in report order, so its first entry names the first non-passing case.
        self.page.close_detail()
        self.page.click('.fails li:first-child a[data-p="%d"]' % p)
        got = self.page.detail()
        if not got["open"]:
            raise AssertionError("a click on the first 'Not passing' link opened no detail panel")
        if got["case"] != result["id"]:
            raise AssertionError("the first 'Not passing' link opened %s, not %s" % (got["case"], result["id"]))
        self.ok("the first 'Not passing, by expectation rule' link opens %s" % result["id"])

    def deep_link(self, url, result):
        self.page.load(url + "?case=" + result["id"])
        got = self.page.detail()
        if not got["open"] or got["case"] != result["id"]:
            raise AssertionError("?case=%s opened %s" % (result["id"], got["case"] if got["open"] else "no detail panel"))
        self.ok("?case=%s opens that case" % result["id"])

    def run(self, url, shot=None):
        self.step("load", self.page.load, url)
        self.step("matrix", self.matrix)
        self.step("consistency matrix", self.consistency)
        for p, run in enumerate(self.report["runs"]):
            res = run["results"]
            first = lambda pred: next((r for r in res if pred(r)), None)  # noqa: E731
            fail = first(lambda r: r["verdict"] == "fail" and r.get("exchange") and r.get("expected"))
            error = first(lambda r: r["verdict"] == "error" and r.get("exchange") and r.get("expected"))
            # The passing cases the checks click have their own exchange (a class representative
            # in the default small reports); the first without one is clicked apart.
            accepted = first(lambda r: r["verdict"] == "pass" and r.get("exchange") and r.get("expected")
                             and r["expected"]["status"] < 300)
            refused = first(lambda r: r["verdict"] == "pass" and r.get("exchange") and r.get("expected")
                            and r["expected"]["status"] >= 300)
            for label, r in (("a failing", fail), ("an Error", error), ("an accepted passing", accepted),
                             ("a refused passing", refused)):
                if r is None:
                    self.fail("profile %s: the run has no %s case to click" % (run["profile"], label.split(" ", 1)[1]))
            if fail:
                self.step("failing cell", self.failing_cell, p, fail, shot if p == 0 else None)
            if error:
                self.step("error cell", self.failing_cell, p, error, None)
            if accepted:
                self.step("accepted passing cell", self.passing_cell, p, accepted, "accepted passing")
            if refused:
                self.step("refused passing cell", self.passing_cell, p, refused, "refused passing")
            # With the default small reports (exchanges of failures and class representatives
            # only) a passing case without its own exchange; `--exchanges all` has none.
            borrowed = first(lambda r: r["verdict"] == "pass" and not r.get("exchange"))
            if borrowed:
                self.step("passing cell without its own exchange", self.passing_cell, p, borrowed,
                          "passing (no exchange of its own)")
            first_np = first(lambda r: r["verdict"] in ("fail", "error"))
            if first_np:
                self.step("failure list", self.failure_link, p, first_np)
        error = next((r for r in self.report["runs"][0]["results"] if r["verdict"] == "error"), None)
        if error:
            self.step("?case=", self.deep_link, url, error)
        # After the clicks: an error in a handler is logged too.
        try:
            severe = self.page.severe_logs()
            self.check(not severe, "no error in the console log",
                       "%d error(s) in the console log: %s" % (len(severe), "; ".join(severe)[:400]))
            extra = [u for u in self.page.resources() if u != url]
            self.check(not extra, "the page loaded nothing besides itself",
                       "the page loaded %s" % extra[:3])
        except Exception as exc:
            self.fail("console log: %s: %s" % (type(exc).__name__, exc))
        return not self.failed


def fmt_counts(c):
    return ", ".join("%d %s" % (c[k], k) for k in VERDICTS)


# --- self-test: mutants -----------------------------------------------------------------------

# Each mutant is a script added at the end of the report, so that it needs nothing of the
# template's internals but the hooks the checks use; the page's own script runs first. With
# each, the words that the failure it must cause contains.
MUTANTS = {
    "clicks on cells do nothing": ("opened no detail panel", """
document.addEventListener("click", ev => { if (ev.target.closest("td")) ev.stopImmediatePropagation(); }, true);"""),
    "the expectation is not shown": ("expectation is not shown", """
new MutationObserver(() => document.querySelectorAll("#detail [data-role=expected]").forEach(e => e.remove()))
  .observe(document.getElementById("detail"), {childList: true, subtree: true});"""),
    "the expectation loses its status": ("the expectation shown", """
new MutationObserver(() => document.querySelectorAll("#detail [data-role=expected]").forEach(e => {
  const t = e.textContent.replace(/^expected\\s*\\d{3}/, "expected ");
  if (t !== e.textContent) e.textContent = t;
})).observe(document.getElementById("detail"), {childList: true, subtree: true});"""),
    "the exchange loses its status line": ("the exchange shown lacks", """
new MutationObserver(() => document.querySelectorAll("#detail [data-role=exchange]").forEach(e => {
  const t = e.textContent.replace(/^HTTP \\d+$/m, "HTTP");
  if (t !== e.textContent) e.textContent = t;
})).observe(document.getElementById("detail"), {childList: true, subtree: true});"""),
    "the panel shows the next case": ("cell shows case", """
document.addEventListener("click", ev => {
  const td = ev.target.closest("td[data-case]");
  if (!td || ev.synthetic) return;
  ev.stopImmediatePropagation();
  const all = [...document.querySelectorAll("td[data-case]")];
  const e = new MouseEvent("click", {bubbles: true}); e.synthetic = true;
  all[(all.indexOf(td) + 1) % all.length].dispatchEvent(e);
}, true);"""),
    "a failing cell is missing": ("cells by verdict", """
document.querySelector("td.fail:not(.sel)").remove();"""),
    "a diverging cold-vs-live cell drawn as the same": ("is 'same', not", """
document.querySelectorAll("td.div[data-cx]").forEach(td => td.className = "same");"""),
    "a cold-vs-live cell lists no class": ("a click on consistency cell", """
document.addEventListener("click", ev => { if (ev.target.closest("td[data-cx]")) ev.stopImmediatePropagation(); }, true);"""),
    "a script error": ("error(s) in the console log", """
undefinedFunctionOfTheReport();"""),
}


def self_test(page, report, html, outdir):
    """How many mutants fail the check they aim at (each on its own copy of the report)."""
    if "</body>" not in html:
        raise Usage("the report has no </body> to add the mutants before")
    caught = 0
    for n, (name, (want, js)) in enumerate(MUTANTS.items()):
        path = pathlib.Path(outdir, "mutant-%d.html" % n)
        path.write_text(html.replace("</body>", "<script>%s</script></body>" % js, 1))
        c = Checks(page, report, quiet=True)
        c.run(path.absolute().as_uri())
        hit = [f for f in c.failed if want in f]
        if hit:
            caught += 1
            say("ok: self-test: mutant %r caught (%d failed check(s)): %s" % (name, len(c.failed), hit[0][:200]))
        else:
            say("FAIL: self-test: mutant %r not caught by the check it aims at (%r); failed: %s" % (
                name, want, c.failed[:2] or "nothing"))
    return caught


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", required=True, help="the HTML report")
    ap.add_argument("--json", required=True, help="the JSON report of the same run")
    ap.add_argument("--screenshot", help="write a PNG of the opened failing cell here")
    ap.add_argument("--self-test", action="store_true", help="also check that mutants of the report fail")
    a = ap.parse_args(argv)
    try:
        try:
            report = json.loads(pathlib.Path(a.json).read_text())
            html = pathlib.Path(a.html).read_text()
        except (OSError, ValueError) as exc:
            raise Usage("cannot read the reports: %s" % exc) from None
        if not isinstance(report, dict) or not report.get("runs") or not all(
            isinstance(r.get("results"), list) and all(k in r.get("counts", {}) for k in VERDICTS)
            for r in report["runs"]
        ):
            raise Usage("%s is not a nova-conform JSON report (runs with results and counts)" % a.json)
        if a.screenshot:
            os.makedirs(os.path.dirname(os.path.abspath(a.screenshot)), exist_ok=True)
        driver = start_browser()
    except Usage as exc:
        say("error: %s" % exc)
        return 2
    except NoBrowser as exc:
        say("error: %s" % exc)
        return 3
    try:
        say("%s, chromedriver %s" % (driver.capabilities.get("browserName", "?") + " " + driver.capabilities.get("browserVersion", "?"),
                                     driver.capabilities.get("chrome", {}).get("chromedriverVersion", "?").split(" ")[0]))
        page = Page(driver)
        checks = Checks(page, report)
        checks.run(pathlib.Path(a.html).absolute().as_uri(), a.screenshot)
        total, failed = checks.passed + len(checks.failed), len(checks.failed)
        if a.self_test and failed:
            say("FAIL: self-test not run: the report itself fails the checks")
            total += len(MUTANTS)
            failed += len(MUTANTS)
        elif a.self_test:
            with tempfile.TemporaryDirectory(prefix="nova-conform-mutants-") as d:
                caught = self_test(page, report, html, d)
            total += len(MUTANTS)
            failed += len(MUTANTS) - caught
    finally:
        driver.quit()
    print("browser: %d passed, %d failed" % (total - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
