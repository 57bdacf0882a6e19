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
// The languages every screen is toured in; a code added here is picked by `openKiosk`.
export const LANGUAGES = ["en"];

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
