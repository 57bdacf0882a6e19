// Every screen of the kiosk at each size of SIZES and in each language of LANGUAGES: the main
// action of each screen in view without scrolling, the focused heading clear of the sticky header,
// targets of 44 px, axe-core clean, "A+" larger text until sign-out, "I need more time" offered
// twice at most, catalogue titles and not codes, and time spent on an offer apart from time
// received; in the pseudo-locale no word outside the catalogues, in Arabic right to left.
// Screenshots (English and Arabic) are named LANG-WIDTHxHEIGHT-SCREEN.png.
import assert from "node:assert/strict";
import {
  LANGUAGES, PSEUDO, SHOT_LANGUAGES, SIZES, assertAllFromCatalogues, assertFillsHeight,
  assertFocusClear, assertInView, assertRightToLeft, assertTargets, checkAccessibility, press, shot, text, wordsOf,
} from "./kiosk_support.mjs";

// Opens the kiosk in `lang`: a member picks it on the first screen by its own name; the
// pseudo-locale, not offered to members, is the page's language from its address.
async function openKiosk(page, url, lang, words) {
  await page.goto(lang === PSEUDO ? `${url}/?lang=${PSEUDO}` : url);
  await page.locator("#card-input").waitFor({ state: "visible" });
  if (lang !== PSEUDO && lang !== "en") {
    const name = words.languages.find((language) => language.tag === lang).name;
    await page.locator(`#language-picker button[lang="${lang}"]`, { hasText: name }).click();
  }
  await page.locator(`html[lang="${lang}"]`).waitFor({ state: "attached" });
  assert.equal(await text(page, "#card-heading"), words.words["card.heading"]);
}

// The member toured: Dev, whose entries name catalogue items and of whom one entry waits.
export const DEV = { card: "1004", pin: "4321" };

export async function tourEveryScreen(browser, url) {
  for (const lang of LANGUAGES) {
    for (const size of SIZES) await tour(browser, url, lang, size);
  }
}

// What a tour of one language needs: the screenshots' prefix, the language and its words.
async function tour(browser, url, lang, size) {
  const words = await wordsOf(url, lang);
  const t = { tag: `${lang}-${size.width}x${size.height}`, lang, w: (key) => words.words[key] };
  t.portrait = size.height > size.width;
  const { tag, w } = t;
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  await page.clock.install();
  await openKiosk(page, url, lang, words);
  if (lang === "ar") await assertRightToLeft(page, tag);
  await press(page, "card-input", DEV.card);
  const next = page.getByRole("button", { name: w("action.next"), exact: true });
  const signIn = page.getByRole("button", { name: w("action.sign_in"), exact: true });
  await screen(page, t, "card", next, "#screen-card");
  await next.click();
  await press(page, "pin-input", "0000");
  await screen(page, t, "pin", signIn, "#screen-pin");
  await signIn.click();
  await page.locator("#pin-message.error").filter({ hasText: w("error.card_or_pin_wrong") }).waitFor();
  await screen(page, t, "wrong-pin", signIn, "#screen-pin");

  await press(page, "pin-input", DEV.pin);
  await signIn.click();
  await page.locator("#screen-home").waitFor({ state: "visible" });
  await assertFocusClear(page, "greeting");
  await memberScreen(page, t);
  const usualSize = await largerText(page, t);
  await moreTime(page, t);
  await page.getByRole("button", { name: w("action.finished"), exact: true }).click();
  await page.locator("#screen-goodbye").waitFor({ state: "visible" });
  await screen(page, t, "goodbye", page.locator("#goodbye-heading"));
  assert.equal(await page.locator("#larger-text").getAttribute("aria-pressed"), "false",
               "larger text ends with the member's session");
  assert.equal(await rootFontSize(page), usualSize, "the text is its usual size after sign-out");
  await context.close();
  console.log(`ok: every screen at ${tag}`);
}

// Checks a screen whose main action is `action`, and saves what the member sees of it. A sign-in
// screen (`signInSection`) on a portrait screen must use its height.
async function screen(page, t, what, action, signInSection) {
  const name = `${t.tag}-${what}`;
  await assertInView(page, action, `the main action of ${name}`);
  if (signInSection && t.portrait) await assertFillsHeight(page, signInSection, name);
  await assertTargets(page, name);
  await checkAccessibility(page, name);
  if (t.lang === PSEUDO) await assertAllFromCatalogues(page, name);
  if (SHOT_LANGUAGES.includes(t.lang)) await shot(page, name, false);
}

async function memberScreen(page, t) {
  const { tag, w } = t;
  // The balance, this month and what waits for Dev, all on the first screen.
  for (const selector of ["#balance-words", "#month-heading", "#month-spent"]) {
    await assertInView(page, page.locator(selector), `${selector} at ${tag}`);
  }
  await screen(page, t, "home", page.locator("#awaiting-list button.primary"));
  assert.equal(await text(page, "#awaiting-list button.primary"), w("awaiting.yes"));
  await assertInView(page, page.getByRole("button", { name: w("action.finished"), exact: true }),
                     `Finished at ${tag}`);
  const recent = await text(page, "#recent-list");
  assert.doesNotMatch(recent + (await text(page, "#awaiting-list")), /hygiene-course|dog-walk/,
                      "catalogue codes are not shown");
  if (t.lang !== "en") {
    // Every line in the member's language, the catalogue's titles as they are.
    if (t.lang !== PSEUDO) assert.doesNotMatch(recent, /\bYou\b|\bhours?\b|today/, `English at ${tag}`);
    assert.match(recent, /Food hygiene course/);
    return;
  }
  assert.match(recent, /You spent 3 hours on the Food hygiene course, today\./);
  assert.match(recent, /You helped Carl Evans with Dog walking — 4 hours, today\./);
  assert.doesNotMatch(recent + (await text(page, "#awaiting-list")), /hygiene-course|dog-walk/,
                      "catalogue codes are not shown");
  assert.equal(await text(page, "#month-given"), "You gave 4 hours.");
  assert.equal(await text(page, "#month-received"), "You received no time from other members.");
  assert.equal(await text(page, "#month-spent"), "You spent 3 hours on courses and offers.");
  await shot(page, `${tag}-home-whole-page`);
}

function rootFontSize(page) {
  return page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
}

// Presses "A+" on the member's screen; returns the usual size of the root's font.
async function largerText(page, t) {
  const { w } = t;
  const size = () => rootFontSize(page);
  const before = await size();
  await page.getByRole("button", { name: w("action.larger_text"), exact: true }).click();
  assert.equal(await page.locator("#larger-text").getAttribute("aria-pressed"), "true");
  assert.ok(await size() >= before * 1.19, "A+ makes the text larger");
  await screen(page, t, "home-larger",
               page.getByRole("button", { name: w("action.finished"), exact: true }));
  // It stays while the member goes on using the screen.
  await page.getByText(w("chart.show_table"), { exact: true }).click();
  assert.ok(await size() >= before * 1.19, "larger text stays");
  return before;
}

// Three warnings: "I need more time" on the first two, not on the third.
async function moreTime(page, t) {
  const { w } = t;
  const more = page.getByRole("button", { name: w("idle.more"), exact: true });
  const stay = page.getByRole("button", { name: w("idle.stay"), exact: true });
  await page.clock.fastForward(41000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  await screen(page, t, "idle-warning", more);
  await more.click();
  await page.clock.fastForward(60000);
  assert.equal(await page.locator("#idle-dialog").isVisible(), false, "2 more minutes were given");
  await page.clock.fastForward(101000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  await more.click();
  await page.clock.fastForward(281000);
  await page.locator("#idle-dialog").waitFor({ state: "visible" });
  assert.equal(await more.count(), 0, "more time is offered twice at most");
  await screen(page, t, "idle-warning-last", stay);
  await stay.click();
  assert.equal(await page.locator("#screen-home").isVisible(), true);
}
