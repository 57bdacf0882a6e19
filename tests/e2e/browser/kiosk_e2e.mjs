// The member kiosk end to end: a real timeledgerd and a real timeledger-kiosk on loopback, the
// bank set up through the staff CLI, and Debian's Chromium driven headless by playwright-core.
//
//   node kiosk_e2e.mjs TIMELEDGERD TIMELEDGER_CLI TIMELEDGER_KIOSK SCREENSHOT_DIR
//
// Each scenario saves a screenshot of every screen it reaches into SCREENSHOT_DIR, and runs
// axe-core in the page: any serious or critical WCAG 2.x A/AA violation fails the run. Every screen
// is also toured at both kiosk sizes (kiosk_screens.mjs); the helpers are in kiosk_support.mjs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import {
  WAIT_MS, assertFocusClear, assertInView, checkAccessibility, children, freePort, press, setShotsDir,
  shot, signIn, sleep, start, stop, text, until, SIZES,
} from "./kiosk_support.mjs";
import { DEV, tourEveryScreen } from "./kiosk_screens.mjs";

const [timeledgerd, cli, kioskBinary, shotsDir] = process.argv.slice(2);
if (!shotsDir) {
  console.error("usage: node kiosk_e2e.mjs TIMELEDGERD TIMELEDGER_CLI TIMELEDGER_KIOSK SCREENSHOT_DIR");
  process.exit(2);
}
const BANK = "e2e";
const REBOUND_NAME = "rebind.test";

const dataDir = mkdtempSync(join(tmpdir(), "kiosk-e2e-"));
mkdirSync(shotsDir, { recursive: true });
setShotsDir(shotsDir);

let grpcPort, httpPort, server, kiosk;
const kioskUrl = () => `http://127.0.0.1:${httpPort}`;

// The CLI as the admin whose token timeledgerd made in the data directory on first start.
function tl(...args) {
  return execFileSync(cli, ["--server", `127.0.0.1:${grpcPort}`, ...args],
                      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
                        env: { ...process.env, TIMELEDGER_TOKEN_FILE: join(dataDir, "admin.token") } });
}

async function startServer() {
  server = start(timeledgerd, ["--listen", `127.0.0.1:${grpcPort}`, "--data-dir", dataDir], "timeledgerd");
  await until("timeledgerd", () => { tl("bank", "list"); return true; });
}

// No cookies, no storage, and no history entries beyond the page's own (`historyAtLoad`).
async function nothingKept(page, context, historyAtLoad) {
  assert.equal((await context.cookies()).length, 0, "no cookies");
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0, "no storage");
  assert.equal(await page.evaluate(() => history.length), historyAtLoad, "no history entries");
}

async function main() {
  grpcPort = await freePort();
  httpPort = await freePort();
  await startServer();
  tl("bank", "create", BANK, "--name", "Riverside Centre time bank", "--time-zone", "Europe/London");
  tl("account", "open", BANK, "alice", "--kind", "person", "--name", "Alice Brown");
  tl("account", "open", BANK, "bob", "--kind", "person", "--name", "Bob Okafor");
  tl("account", "open", BANK, "carl", "--kind", "person", "--name", "Carl Evans");
  // Carol and Alice record as coordinators; Alice's own entry waits for Bob, who pays.
  for (const name of ["carol", "alice"]) {
    tl("token", "create", "--role", "coordinator", "--bank", BANK, "--name", name,
       "--out", join(dataDir, `${name}.token`));
  }
  tl("token", "create", "--role", "kiosk", "--bank", BANK, "--name", "kiosk-e2e",
     "--out", join(dataDir, "kiosk-e2e.token"));
  tl("--token-file", join(dataDir, "carol.token"), "entry", "record", BANK, "--from", "bob", "--to", "alice", "--minutes", "1h30m",
     "--activity", "gardening", "--id", "slip-1");
  tl("--token-file", join(dataDir, "alice.token"), "entry", "record", BANK, "--from", "bob", "--to", "alice", "--minutes", "1h",
     "--activity", "shopping", "--id", "slip-2");
  tl("account", "open", BANK, "ewa", "--kind", "person", "--name", "Ewa Nowak");
  for (const [who, card, pin] of [["alice", "1001", "1234"], ["bob", "1002", "2468"], ["carl", "1003", "1111"],
                                  ["dev", DEV.card, DEV.pin], ["ewa", "1005", "5555"]]) {
    if (who === "dev") setUpDev();
    tl("account", "set-card", BANK, who, "--number", card);
    tl("account", "set-pin", BANK, who, "--pin", pin);
  }

  // Ewa reads the kiosk in Polish, whatever the screen was left in; a language the kiosk does not
  // ship is refused, naming the ones it does.
  assert.match(tl("account", "set-language", BANK, "ewa", "--language", "pl"), /speaks pl/);
  assert.throws(() => tl("account", "set-language", BANK, "ewa", "--language", "so"),
                (e) => /INVALID_LANGUAGE/.test(e.stderr) && /en bn ar pl/.test(e.stderr));

  kiosk = start(kioskBinary, ["--listen", `127.0.0.1:${httpPort}`, "--server", `127.0.0.1:${grpcPort}`,
                              "--bank", BANK, "--token-file", join(dataDir, "kiosk-e2e.token")], "kiosk");
  await until("the kiosk", async () => (await fetch(`${kioskUrl()}/api/status`)).ok);

  await httpHardening();

  // rebind.test resolves to 127.0.0.1, as an attacker's name does after DNS rebinding.
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
                                          args: ["--no-sandbox", `--host-resolver-rules=MAP ${REBOUND_NAME} 127.0.0.1`] });
  try {
    await reboundNameRefused(browser);
    await signInAndReadBalance(browser);
    await confirmPending(browser);
    await wrongPinAndLockout(browser);
    await idleSignOut(browser);
    await largerTextForOnePerson(browser);
    await tourEveryScreen(browser, kioskUrl());
    await memberOwnLanguage(browser);
    await ledgerDownAndBack(browser);
  } finally {
    await browser.close();
  }
}

// Dev walks dogs for Carl, buys the food hygiene course, and has an entry of Alice's to check:
// entries that name catalogue items by their codes.
function setUpDev() {
  tl("account", "open", BANK, "dev", "--kind", "person", "--name", "Dev Patel");
  tl("account", "open", BANK, "centre", "--kind", "organisation", "--name", "Riverside Centre");
  tl("activity", "define", BANK, "dog-walk", "--title", "Dog walking");
  tl("offer", "define", BANK, "hygiene-course", "--title", "Food hygiene course", "--price", "3h",
     "--to", "centre");
  tl("--token-file", join(dataDir, "carol.token"), "entry", "record", BANK, "--from", "carl", "--to", "dev",
     "--minutes", "4h", "--activity", "dog-walk", "--id", "slip-dev-1");
  tl("offer", "redeem", BANK, "dev", "hygiene-course", "--id", "buy-dev-1");
  tl("--token-file", join(dataDir, "alice.token"), "entry", "record", BANK, "--from", "dev", "--to", "alice",
     "--minutes", "1h", "--activity", "shopping", "--id", "slip-dev-2");
}

async function httpHardening() {
  const page = await fetch(`${kioskUrl()}/`);
  assert.equal(page.status, 200);
  const csp = page.headers.get("content-security-policy");
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-[0-9a-f]+'/);
  assert.doesNotMatch(csp, /https?:/, "no outside source");
  assert.equal(page.headers.get("cache-control"), "no-store");
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  const html = await page.text();
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/, "self-contained page");

  // A browser sends its page's Origin with every POST; Node's fetch does not, so it is set here.
  const post = (path, body, type = "application/json", origin = kioskUrl()) =>
    fetch(`${kioskUrl()}${path}`, { method: "POST", headers: { "Content-Type": type, Origin: origin }, body });
  let r = await post("/api/sign-in", JSON.stringify({ card: "1001", pin: "0000" }), "application/json", "http://evil.example");
  assert.equal(r.status, 403, "a POST from another origin");
  r = await fetch(`${kioskUrl()}/api/sign-in`, { method: "POST", headers: { "Content-Type": "application/json" },
                                                 body: JSON.stringify({ card: "1001", pin: "0000" }) });
  assert.equal(r.status, 403, "a POST without an Origin");
  r = await post("/api/sign-in", "{not json");
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error, "BAD_JSON");
  r = await post("/api/sign-in", JSON.stringify({ card: 1001, pin: "1234" }));
  assert.equal(r.status, 400, "numbers where strings belong");
  r = await post("/api/sign-in", "card=1001&pin=1234", "application/x-www-form-urlencoded");
  assert.equal(r.status, 400, "only JSON");
  r = await post("/api/sign-in", JSON.stringify({ card: "1".repeat(10000) }));
  assert.equal(r.status, 413, "a body over the limit");
  r = await fetch(`${kioskUrl()}/api/me`);
  assert.equal(r.status, 401);
  r = await fetch(`${kioskUrl()}/nothing-here`);
  assert.equal(r.status, 404);
  assert.equal(r.headers.get("cache-control"), "no-store");
  console.log("ok: HTTP limits and headers");
}

// A page opened by a name that is not the kiosk's (a DNS-rebinding attacker's) gets a plain
// refusal, not the kiosk.
async function reboundNameRefused(browser) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  const response = await page.goto(`http://${REBOUND_NAME}:${httpPort}/`);
  assert.equal(response.status(), 421, "Misdirected Request");
  assert.match(await page.locator("body").innerText(), /does not answer to that host name/);
  assert.equal(await page.locator("#card-input").count(), 0, "no kiosk page");
  const api = await page.evaluate(async () => (await fetch("/api/status")).status);
  assert.equal(api, 421, "nor its API");
  await context.close();
  console.log("ok: a rebound name is refused");
}

async function signInAndReadBalance(browser) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  await page.goto(kioskUrl());
  const historyAtLoad = await page.evaluate(() => history.length);
  await shot(page, "01-welcome-card-number");
  await checkAccessibility(page, "card number screen");
  await signIn(page, "1001", "1234", { pin: "02-pin" });
  await page.locator("#screen-home").waitFor({ state: "visible" });
  assert.equal(await text(page, "#bank-title"), "Riverside Centre time bank");
  assert.equal(await text(page, "#greeting"), "Hello, Alice");
  assert.equal(await text(page, "#balance-words"), "You have 1 hour 30 minutes.");
  const recent = await text(page, "#recent-list");
  assert.match(recent, /You helped Bob Okafor with gardening — 1 hour 30 minutes, today\./);
  assert.match(await text(page, "#month-given"), /You gave 1 hour 30 minutes\./);
  assert.equal(await page.locator("#chart svg rect").count() >= 24, true, "24 bars");
  assert.equal(await page.locator("#qualifications-section").isHidden(), true,
               "no qualifications section until the server offers them");
  await shot(page, "03-home-balance");
  await checkAccessibility(page, "member screen");
  // Reflow (WCAG 1.4.10): at 320 CSS pixels, what 200% text on a small screen comes to, nothing
  // needs scrolling sideways.
  await page.setViewportSize({ width: 320, height: 900 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 320), true,
               "no sideways scrolling at 320 px");
  await shot(page, "03b-home-narrow");
  await page.setViewportSize({ width: 1024, height: 900 });
  await nothingKept(page, context, historyAtLoad);

  await page.getByRole("button", { name: "Finished" }).click();
  await page.locator("#screen-goodbye").waitFor({ state: "visible" });
  await shot(page, "04-finished-signed-out");
  assert.doesNotMatch(await page.locator("main").innerText(), /Bob Okafor|1 hour 30/);
  await page.locator("#screen-card").waitFor({ state: "visible", timeout: WAIT_MS });
  await nothingKept(page, context, historyAtLoad);
  await context.close();
  console.log("ok: sign in and read the balance recorded through the API");
}

async function confirmPending(browser) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  await page.goto(kioskUrl());
  await signIn(page, "1002", "2468");
  await page.locator("#screen-home").waitFor({ state: "visible" });
  assert.equal(await text(page, "#balance-words"),
               "You have received 1 hour 30 minutes more than you have given.");
  assert.equal(await text(page, "#balance-note"), "That's fine: there are many ways to give.");
  const waiting = await text(page, "#awaiting-list");
  assert.match(waiting, /Alice Brown says they helped you with shopping — 1 hour, today\./);
  await shot(page, "05-pending-to-confirm");
  await checkAccessibility(page, "pending entry");
  // Confirmed with the page scrolled down: the greeting then takes focus clear of the sticky header.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.getByRole("button", { name: /^Yes, that's right/ }).dispatchEvent("click");
  await until("the confirmation", async () => (await text(page, "#home-message")) === "Thank you. It is confirmed.");
  await assertFocusClear(page, "greeting");
  assert.equal(await text(page, "#balance-words"),
               "You have received 2 hours 30 minutes more than you have given.");
  assert.equal(await page.locator("#awaiting-section").isHidden(), true);
  await shot(page, "06-pending-confirmed");
  const bob = JSON.parse(tl("--json", "account", "get", BANK, "bob"));
  assert.equal(Number(bob.balanceMinutes ?? bob.balance_minutes), -150, "confirmed in the ledger");
  await page.getByRole("button", { name: "Finished" }).click();
  await context.close();
  console.log("ok: confirm a pending entry");
}

async function wrongPinAndLockout(browser) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  await page.goto(kioskUrl());
  await signIn(page, "1003", "0000");
  await until("the wrong PIN message", async () => /don't match/.test(await text(page, "#pin-message")));
  // Said with an icon, a colour and words, not in a low-key grey box.
  const look = await page.locator("#pin-message").evaluate((node) => ({
    error: node.classList.contains("error"), border: getComputedStyle(node).borderTopColor,
    icon: getComputedStyle(node, "::before").content }));
  assert.deepEqual(look, { error: true, border: "rgb(164, 0, 29)", icon: '"!" / ""' });
  await shot(page, "07-wrong-pin");
  await checkAccessibility(page, "wrong PIN");
  for (let i = 2; i <= 5; ++i) {
    await press(page, "pin-input", "0000");
    await page.getByRole("button", { name: "Sign in" }).click();
    if (i < 5) await until(`wrong PIN ${i}`, async () => /don't match/.test(await text(page, "#pin-message")));
    await sleep(300);
  }
  await until("the lock", async () => /resting for 15 minutes/.test(await text(page, "#card-message")));
  await shot(page, "08-card-locked");
  await checkAccessibility(page, "card locked");
  // Even the right PIN does not open it now.
  await signIn(page, "1003", "1111");
  await until("the lock again", async () => /resting for 15 minutes/.test(await text(page, "#card-message")));
  await context.close();
  console.log("ok: wrong PIN and lockout");
}

async function idleSignOut(browser) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(kioskUrl());
  await signIn(page, "1001", "1234");
  await page.locator("#screen-home").waitFor({ state: "visible" });
  await page.clock.fastForward(41000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  assert.match(await text(page, "#idle-dialog"), /Are you still there\?/);
  await shot(page, "09-idle-warning");
  await checkAccessibility(page, "idle warning");
  // "Yes, I'm still here" keeps the member signed in...
  await page.getByRole("button", { name: "Yes, I'm still here" }).click();
  await page.clock.fastForward(30000);
  assert.equal(await page.locator("#screen-home").isVisible(), true);
  assert.equal(await page.locator("#idle-dialog").isVisible(), false);
  // ...and a minute without a touch signs them out.
  await page.clock.fastForward(11000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  await page.clock.fastForward(20000);
  await page.locator("#screen-goodbye").waitFor({ state: "visible" });
  assert.match(await text(page, "#goodbye-words"), /not touched for a minute/);
  await shot(page, "10-idle-signed-out");
  assert.doesNotMatch(await page.locator("main").innerText(), /Alice|1 hour 30/);

  // A card number typed and left is cleared too, after the same warning.
  await page.locator("#screen-card").waitFor({ state: "visible", timeout: WAIT_MS });
  await press(page, "card-input", "1001");
  await page.clock.fastForward(41000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  assert.match(await text(page, "#idle-text"), /what you typed will be cleared/);
  await page.clock.fastForward(20000);
  await until("the card number cleared", async () =>
    (await page.locator("#card-input").inputValue()) === "" && !(await page.locator("#idle-dialog").isVisible()));
  await context.close();
  console.log("ok: idle sign-out with a warning");
}

// "A+" is for one person: chosen before signing in it lasts through their session and ends at
// sign-out; chosen on the first screen and left, it ends after the idle minute.
async function largerTextForOnePerson(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(kioskUrl());
  await page.locator("#card-input").waitFor({ state: "visible" });
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  const normal = await size();
  const larger = page.locator("#larger-text");
  await larger.click();
  assert.ok(await size() >= normal * 1.19, "A+ before signing in makes the text larger");
  await signIn(page, "1002", "2468");
  await page.locator("#screen-home").waitFor({ state: "visible" });
  assert.ok(await size() >= normal * 1.19, "larger text lasts into the member's session");
  await page.locator("#finished").click();
  await page.locator("#screen-goodbye").waitFor({ state: "visible" });
  assert.equal(await size(), normal, "after sign-out the text is back to its usual size");
  assert.equal(await larger.getAttribute("aria-pressed"), "false");
  await page.clock.fastForward(7000);
  await page.locator("#screen-card").waitFor({ state: "visible" });
  assert.equal(await size(), normal, "the next person starts at the usual size");

  await larger.click();
  await page.clock.fastForward(30000);
  assert.ok(await size() >= normal * 1.19, "larger text stays while someone may be reading");
  await page.clock.fastForward(31000);
  await until("the usual size again", async () => (await size()) === normal);
  assert.equal(await larger.getAttribute("aria-pressed"), "false");
  assert.equal(await page.locator("#idle-dialog").isVisible(), false,
               "no warning: nothing private was on the screen");
  await context.close();
  console.log("ok: larger text for one person");
}

async function ledgerDownAndBack(browser) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  await page.goto(kioskUrl());
  await page.locator("#card-input").waitFor({ state: "visible" });
  await stop(server);
  await until("the calm message", async () => /can't reach the time bank/.test(await text(page, "#status-banner")));
  await shot(page, "11-ledger-unreachable");
  await checkAccessibility(page, "ledger unreachable");
  const keysDisabled = () => page.locator(".keypad button:disabled").count();
  assert.equal(await keysDisabled(), 24, "the keypads rest while the ledger is away");
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await assertInView(page, page.getByRole("button", { name: "Next" }), "Next with the ledger down");
    await shot(page, `en-${size.width}x${size.height}-ledger-down`, false);
  }
  // The bank's name stays, even on a page opened while the ledger is away.
  const fresh = await context.newPage();
  await fresh.goto(kioskUrl());
  await until("the bank's name", async () => (await text(fresh, "#bank-title")) === "Riverside Centre time bank");
  await fresh.close();
  // Typed on a keyboard or scanned, a card is still answered calmly.
  await page.locator("#card-input").fill("1001");
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#pin-input").fill("1234");
  await page.getByRole("button", { name: "Sign in" }).click();
  await until("a calm refusal", async () => /can't reach the time bank/.test(await text(page, "#pin-message")));

  await startServer();
  await until("the kiosk to recover by itself", async () => (await text(page, "#status-banner")) === "");
  assert.equal(await keysDisabled(), 0, "the keypads work again");
  assert.equal(await text(page, "#pin-message"), "", "no stale line once the ledger is back");
  assert.equal(await text(page, "#bank-title"), "Riverside Centre time bank");
  await page.getByRole("button", { name: "Back" }).click();
  await signIn(page, "1001", "1234");
  await page.locator("#screen-home").waitFor({ state: "visible" });
  assert.equal(await text(page, "#balance-words"), "You have 2 hours 30 minutes.");
  await shot(page, "12-ledger-back");
  await page.getByRole("button", { name: "Finished" }).click();
  await context.close();
  console.log("ok: ledger down and back up");
}

// A member whose coordinator set their language reads the kiosk in it from sign-in to goodbye;
// the next person starts in the kiosk's own language again.
async function memberOwnLanguage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(kioskUrl());
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  await signIn(page, "1005", "5555");
  await page.locator("#screen-home").waitFor({ state: "visible" });
  await page.locator('html[lang="pl"]').waitFor({ state: "attached" });
  assert.equal(await text(page, "#greeting"), "Dzień dobry, Ewa");
  assert.equal(await text(page, "#balance-words"), "Twój czas: 0 godzin.");
  assert.equal(await text(page, "#finished"), "Zakończ");
  await checkAccessibility(page, "a member's own language");
  await page.locator("#finished").click();
  await page.locator("#screen-goodbye").waitFor({ state: "visible" });
  assert.equal(await text(page, "#goodbye-heading"), "Dziękujemy. Wylogowano Cię.");
  await page.locator('html[lang="en"]').waitFor({ state: "attached", timeout: WAIT_MS });
  await page.locator("#screen-card").waitFor({ state: "visible", timeout: WAIT_MS });
  assert.equal(await text(page, "#card-heading"), "Welcome. Please type your card number, or scan your card.");
  await context.close();
  console.log("ok: a member's own language, then the kiosk's again");
}

let failed = false;
try {
  await main();
  console.log("kiosk e2e: all scenarios passed");
} catch (e) {
  failed = true;
  console.error("kiosk e2e FAILED:", e);
} finally {
  for (const child of [...children]) await stop(child);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
