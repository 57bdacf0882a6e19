// Every screen of the kiosk at each size of SIZES and in each language of LANGUAGES: the main
// action of each screen in view without scrolling, the focused heading clear of the sticky header,
// targets of 44 px, axe-core clean, "A+" larger text until sign-out, "I need more time" offered
// twice at most, catalogue titles and not codes, and time spent on an offer apart from time
// received. Screenshots are named LANG-WIDTHxHEIGHT-SCREEN.png.
import assert from "node:assert/strict";
import {
  LANGUAGES, SIZES, assertFocusClear, assertInView, assertTargets, checkAccessibility, press,
  shot, text,
} from "./kiosk_support.mjs";

// Opens the kiosk in `lang`. Only English is shipped so far; a language picker goes here.
async function openKiosk(page, url, lang) {
  await page.goto(url);
  assert.equal(lang, "en", `no way to pick ${lang} yet`);
  await page.locator("#card-input").waitFor({ state: "visible" });
}

// The member toured: Dev, whose entries name catalogue items and of whom one entry waits.
export const DEV = { card: "1004", pin: "4321" };

export async function tourEveryScreen(browser, url) {
  for (const lang of LANGUAGES) {
    for (const size of SIZES) await tour(browser, url, lang, size);
  }
}

async function tour(browser, url, lang, size) {
  const tag = `${lang}-${size.width}x${size.height}`;
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  await page.clock.install();
  await openKiosk(page, url, lang);
  await press(page, "card-input", DEV.card);
  await screen(page, `${tag}-card`, page.getByRole("button", { name: "Next" }));
  await page.getByRole("button", { name: "Next" }).click();
  await press(page, "pin-input", "0000");
  await screen(page, `${tag}-pin`, page.getByRole("button", { name: "Sign in" }));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#pin-message.error").filter({ hasText: "don't match" }).waitFor();
  await screen(page, `${tag}-wrong-pin`, page.getByRole("button", { name: "Sign in" }));

  await press(page, "pin-input", DEV.pin);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#screen-home").waitFor({ state: "visible" });
  await assertFocusClear(page, "greeting");
  await memberScreen(page, tag);
  await largerText(page, tag);
  await moreTime(page, tag);
  await page.getByRole("button", { name: "Finished" }).click();
  await page.locator("#screen-goodbye").waitFor({ state: "visible" });
  await screen(page, `${tag}-goodbye`, page.locator("#goodbye-heading"));
  assert.equal(await page.locator("#larger-text").getAttribute("aria-pressed"), "false",
               "larger text ends with the member's session");
  await context.close();
  console.log(`ok: every screen at ${tag}`);
}

// Checks a screen whose main action is `action`, and saves what the member sees of it.
async function screen(page, name, action) {
  await assertInView(page, action, `the main action of ${name}`);
  await assertTargets(page, name);
  await checkAccessibility(page, name);
  await shot(page, name, false);
}

async function memberScreen(page, tag) {
  // The balance, this month and what waits for Dev, all on the first screen.
  for (const selector of ["#balance-words", "#month-heading", "#month-spent"]) {
    await assertInView(page, page.locator(selector), `${selector} at ${tag}`);
  }
  await screen(page, `${tag}-home`, page.getByRole("button", { name: /^Yes, that's right/ }));
  await assertInView(page, page.getByRole("button", { name: "Finished" }), `Finished at ${tag}`);
  const recent = await text(page, "#recent-list");
  assert.match(recent, /You spent 3 hours on the Food hygiene course, today\./);
  assert.match(recent, /You helped Carl Evans with Dog walking — 4 hours, today\./);
  assert.doesNotMatch(recent + (await text(page, "#awaiting-list")), /hygiene-course|dog-walk/,
                      "catalogue codes are not shown");
  assert.equal(await text(page, "#month-given"), "You gave 4 hours.");
  assert.equal(await text(page, "#month-received"), "You received no time from other members.");
  assert.equal(await text(page, "#month-spent"), "You spent 3 hours on courses and offers.");
  await shot(page, `${tag}-home-whole-page`);
}

async function largerText(page, tag) {
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  const before = await size();
  await page.getByRole("button", { name: "A+ Larger text" }).click();
  assert.equal(await page.locator("#larger-text").getAttribute("aria-pressed"), "true");
  assert.ok(await size() >= before * 1.19, "A+ makes the text larger");
  await screen(page, `${tag}-home-larger`, page.getByRole("button", { name: "Finished" }));
  // It stays while the member goes on using the screen.
  await page.getByText("Show the 12 months as a table").click();
  assert.ok(await size() >= before * 1.19, "larger text stays");
}

// Three warnings: "I need more time" on the first two, not on the third.
async function moreTime(page, tag) {
  await page.clock.fastForward(41000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  await screen(page, `${tag}-idle-warning`, page.getByRole("button", { name: "I need more time" }));
  await page.getByRole("button", { name: "I need more time" }).click();
  await page.clock.fastForward(60000);
  assert.equal(await page.locator("#idle-dialog").isVisible(), false, "2 more minutes were given");
  await page.clock.fastForward(101000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  await page.getByRole("button", { name: "I need more time" }).click();
  await page.clock.fastForward(281000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  assert.equal(await page.getByRole("button", { name: "I need more time" }).count(), 0,
               "more time is offered twice at most");
  await screen(page, `${tag}-idle-warning-last`, page.getByRole("button", { name: "Yes, I'm still here" }));
  await page.getByRole("button", { name: "Yes, I'm still here" }).click();
  assert.equal(await page.locator("#screen-home").isVisible(), true);
}
