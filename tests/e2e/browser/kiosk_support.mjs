// What the kiosk's browser tests share: starting and stopping the real binaries, waiting, the
// keypad, signing in, screenshots, axe-core, and the checks of a screen's layout (the main action
// in view without scrolling, focus clear of the sticky header, targets big enough).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
export const WAIT_MS = 20000;

// The two screens a centre puts the kiosk on: a landscape one and a portrait touch screen.
export const SIZES = [{ width: 1280, height: 800 }, { width: 1080, height: 1920 }];
// The languages every screen is toured in: every shipped one (clients/kiosk/messages/), and the
// pseudo-locale, which is not offered to members but opened as /?lang=en-XA. Screenshots of every
// screen are kept for SHOT_LANGUAGES.
export const LANGUAGES = ["en", "bn", "ar", "pl", "en-XA"];
export const PSEUDO = "en-XA";
export const SHOT_LANGUAGES = ["en", "ar"];

// The page's words in `lang`, as the kiosk serves them: {lang, dir, words, counts, languages}.
export async function wordsOf(url, lang) {
  const response = await fetch(`${url}/api/words?lang=${encodeURIComponent(lang)}`);
  assert.equal(response.status, 200, `the words of ${lang}`);
  return response.json();
}

// In the pseudo-locale every visible text and every label read aloud is inside its message's
// brackets: anything else bypassed the catalogues. Data (names, digits, each language's own
// name) is marked translate="no" and not checked.
export async function assertAllFromCatalogues(page, where) {
  const bare = await page.evaluate(() => {
    const shown = (node) => node.getClientRects().length > 0 &&
                            getComputedStyle(node).visibility !== "hidden";
    const words = (text) => /\p{L}/u.test(text);
    const bracketed = (text) => text.startsWith("[") && text.endsWith("]");
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const parent = node.parentElement;
      if (!words(text) || !parent || parent.closest("script, style, [translate=no]")) continue;
      if (shown(parent) && !bracketed(text)) found.push(text);
    }
    for (const node of document.querySelectorAll("[aria-label]")) {
      const label = node.getAttribute("aria-label");
      if (node.closest("[translate=no]") || !shown(node) || !words(label)) continue;
      if (!bracketed(label)) found.push(`aria-label ${label}`);
    }
    return found;
  });
  assert.deepEqual(bare, [], `words that bypass the catalogues on ${where}`);
}

// An Arabic page is right to left: the document says so, and the layout follows (a label's
// words sit at the right of its box, the keypad's first key at the right of its row).
export async function assertRightToLeft(page, where) {
  const state = await page.evaluate(() => {
    const label = document.querySelector("label[for=card-input]");
    const words = document.createRange();
    words.selectNodeContents(label);
    const keys = [...document.querySelectorAll('.keypad[data-for="card-input"] button')];
    return { dir: document.documentElement.dir, lang: document.documentElement.lang,
             direction: getComputedStyle(document.querySelector("main")).direction,
             labelRight: label.getBoundingClientRect().right,
             wordsRight: words.getBoundingClientRect().right,
             wordsLeft: words.getBoundingClientRect().left,
             labelLeft: label.getBoundingClientRect().left,
             firstKey: keys[0].getBoundingClientRect().left, thirdKey: keys[2].getBoundingClientRect().left };
  });
  assert.equal(state.dir, "rtl", `dir="rtl" on ${where}`);
  assert.equal(state.lang, "ar", `lang="ar" on ${where}`);
  assert.equal(state.direction, "rtl", `the page lays out right to left on ${where}`);
  assert.ok(Math.abs(state.labelRight - state.wordsRight) < 2 && state.wordsLeft > state.labelLeft + 8,
            `the card number's label starts at the right on ${where}`);
  assert.ok(state.firstKey > state.thirdKey, `the keypad's "1" is at the right of "3" on ${where}`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const children = new Set();

export function start(binary, args, name) {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => process.stdout.write(`[${name}] ${d}`));
  child.stderr.on("data", (d) => process.stdout.write(`[${name}] ${d}`));
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

export function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(what, check, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

let shotsDir = ".";
export function setShotsDir(dir) { shotsDir = dir; }

// A screenshot of what the screen shows (`fullPage` for the whole page).
export async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage });
  console.log(`screenshot ${name}.png`);
}

// axe-core in the page (evaluated over CDP, so the page's CSP needs no exception).
export async function checkAccessibility(page, where) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
  }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result.violations) {
    console.log(`axe (${where}): ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
  }
  assert.equal(bad.length, 0, `serious accessibility violations on ${where}: ` +
    bad.map((v) => `${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`).join("; "));
}

export async function press(page, padFor, digits) {
  for (const d of digits) await page.locator(`.keypad[data-for="${padFor}"] button`, { hasText: d }).first().click();
}

export async function signIn(page, card, pin, shots = {}) {
  await page.locator("#card-input").waitFor({ state: "visible" });
  await press(page, "card-input", card);
  if (shots.card) await shot(page, shots.card);
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#pin-input").waitFor({ state: "visible" });
  await press(page, "pin-input", pin);
  if (shots.pin) await shot(page, shots.pin);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function text(page, selector) { return (await page.locator(selector).textContent()).trim(); }

// The element is wholly on the first screen: not scrolled to, not under the sticky header.
export async function assertInView(page, locator, what) {
  await locator.waitFor({ state: "visible" });
  const box = await locator.evaluate((node) => {
    const r = node.getBoundingClientRect();
    // The header and a dialog stay put; anything else is measured as if the page were at its top.
    const offset = node.closest("header, dialog") ? 0 : window.scrollY;
    return { top: r.top + offset, bottom: r.bottom + offset,
             headerBottom: document.querySelector("header").getBoundingClientRect().bottom,
             inHeader: node.closest("header, dialog") !== null, height: window.innerHeight };
  });
  assert.ok(box.bottom <= box.height, `${what} is below the fold (${box.bottom} > ${box.height})`);
  if (!box.inHeader) {
    assert.ok(box.top >= box.headerBottom, `${what} is under the sticky header`);
  }
}

// On a portrait screen a sign-in screen uses the height: from its heading to its lowest control
// (the keypad, "Next" or "Sign in") it spans at least `share` of the viewport, with nothing
// scrolled and its keys at least 6 rem high.
export async function assertFillsHeight(page, section, where, share = 0.7) {
  const state = await page.evaluate((selector) => {
    const shown = [...document.querySelectorAll(`${selector} h2, ${selector} form > *`)]
      .filter((node) => node.getClientRects().length > 0 && node.getBoundingClientRect().height > 0);
    const key = document.querySelector(`${selector} .keypad button`).getBoundingClientRect();
    return { top: Math.min(...shown.map((node) => node.getBoundingClientRect().top)),
             bottom: Math.max(...shown.map((node) => node.getBoundingClientRect().bottom)),
             height: window.innerHeight, scrolled: window.scrollY, key: key.height,
             rem: parseFloat(getComputedStyle(document.documentElement).fontSize) };
  }, section);
  const spans = (state.bottom - state.top) / state.height;
  assert.equal(state.scrolled, 0, `${where} is not scrolled`);
  assert.ok(spans >= share, `${where} spans ${Math.round(spans * 100)}% of the screen's height`);
  assert.ok(state.key >= 6 * state.rem - 1, `${where}: keys of ${state.key} px`);
}

// The focused element is not covered by the sticky header (WCAG 2.2 2.4.11).
export async function assertFocusClear(page, id) {
  const state = await page.evaluate(() => {
    const focused = document.activeElement;
    return { id: focused.id, top: focused.getBoundingClientRect().top,
             headerBottom: document.querySelector("header").getBoundingClientRect().bottom };
  });
  assert.equal(state.id, id, `#${id} has focus`);
  assert.ok(state.top >= state.headerBottom,
            `#${id} is under the sticky header (${state.top} < ${state.headerBottom})`);
}

// Every visible control is at least 44 by 44 CSS pixels (WCAG 2.2 2.5.8 asks 24).
export async function assertTargets(page, where) {
  const small = await page.evaluate(() => [...document.querySelectorAll("button, input, summary, a")]
    .filter((node) => node.getClientRects().length > 0)
    .map((node) => ({ name: node.id || node.textContent.trim(), r: node.getBoundingClientRect() }))
    .filter(({ r }) => r.width < 44 || r.height < 44)
    .map(({ name, r }) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`));
  assert.deepEqual(small, [], `targets under 44 px on ${where}`);
}
