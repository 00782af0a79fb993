// The simulator's browser panel in a real browser (Debian's Chromium, driven by Playwright), on
// both engines: the page's own MQTT client drives the device and watches it; the board shows its
// pins; the network switch holds readings in the outbox until the link is back; a device that dies
// leaves its will. Screenshots go to test-output/screenshots/.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright";
import { launchChromium } from "../support/browser.js";
import { spawnDevice, type DeviceEvent, type DeviceProcess, type Engine } from "../support/device-process.js";
import { startEmbeddedAedes, type EmbeddedAedes } from "../support/aedes.js";

const SHOTS = resolve(__dirname, "..", "..", "test-output", "screenshots");
const STEP_MS = 15_000;

let browser: Browser;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
}, 30_000);
afterAll(() => browser?.close());

const panelUrl = (device: DeviceProcess): string => {
  const event = device.events.find((e): e is Extract<DeviceEvent, { type: "panel" }> => e.type === "panel");
  if (!event) throw new Error("the device printed no panel URL");
  return event.url;
};

async function openPanel(device: DeviceProcess): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1150 } });
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(panelUrl(device));
  await page.locator('[data-testid="link"][data-state="online"]').waitFor({ timeout: STEP_MS });
  await page.locator('[data-testid="client-state"][data-state="connected"]').waitFor({ timeout: STEP_MS });
  expect(problems).toEqual([]);
  return page;
}

/** Readings the page's subscription shows for `topic`, oldest first. */
async function readings(page: Page, topic: string): Promise<{ value: number; ts: number }[]> {
  const payloads = await page.locator(`[data-testid="subscriptions"] .message[data-topic="${topic}"] .payload`).allTextContents();
  return payloads.reverse().map((text) => JSON.parse(text) as { value: number; ts: number });
}

async function slide(page: Page, name: string, millivolts: number): Promise<void> {
  await page.locator(`[data-testid="slider-${name}"]`).fill(String(millivolts));
}

const until = async (what: string, condition: () => Promise<boolean>, ms = STEP_MS): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.each<Engine>(["node", "xs"])("the panel, %s engine, embedded broker", (engine) => {
  let device: DeviceProcess;
  let page: Page;

  beforeAll(async () => {
    device = await spawnDevice({
      engine,
      broker: undefined,
      store: mkdtempSync(join(tmpdir(), "panel-")),
      flags: ["--panel-port", "0"],
      config: { deviceId: `panel-${engine}`, sensorSamplePeriod: 200, sensorReportPeriod: 200, outboxBytes: 2048, discovery: false, healthPeriod: 86_400_000 },
      startTimeoutMs: 60_000,
    });
    page = await openPanel(device);
  }, 90_000);
  afterAll(async () => {
    await page?.close();
    await device?.stop();
  }, 30_000);

  it("draws a card for every line of the device table, with the pins each opened", async () => {
    for (const name of ["lamp", "bell", "sensor", "relay", "button"]) await expect(page.locator(`[data-testid="card-${name}"]`).count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="pin-lamp"]').getAttribute("data-kind")).resolves.toBe("output");
    await expect(page.locator('[data-testid="pin-sensor"]').getAttribute("data-kind")).resolves.toBe("analog");
    await expect(page.locator('[data-testid="pin-button"]').getAttribute("data-kind")).resolves.toBe("input");
    await expect(page.locator('[data-testid="device-id"]').textContent()).resolves.toBe(`panel-${engine}`);
    // Readings leave every 200 ms at QoS 1, so one may be in flight at any moment: wait for a gauge between them.
    const idle = /^0 messages, 0 of 2048 bytes \(0 %\), 0 in flight, 0 dropped$/;
    await page.locator('[data-testid="outbox"]', { hasText: idle }).waitFor({ timeout: STEP_MS });
    await page.screenshot({ path: join(SHOTS, `${engine}-idle.png`) });
  });

  it("lights the lamp on an `on` published from the page, and shows the retained state in the topic tree", async () => {
    await page.locator('[data-testid="pub-topic"]').fill("home/office/lamp");
    await page.locator('[data-testid="pub-payload"]').fill("on");
    await page.locator('[data-testid="publish"]').click();
    await page.locator('[data-testid="pin-lamp"][data-value="1"]').waitFor({ timeout: STEP_MS });
    await device.waitFor((e) => e.type === "pin" && e.name === "lamp" && e.value === 1, "the lamp pin high");
    await expect(page.locator('[data-testid="publish-result"]').textContent()).resolves.toBe("acknowledged (PUBACK)");
    // A new subscription gets the broker's retained copy, flagged retained.
    await page.locator('[data-testid="sub-filter"]').fill("home/+/lamp/state");
    await page.locator('[data-testid="subscribe"]').click();
    const state = page.locator('[data-testid="topic-home/office/lamp/state"]');
    await state.waitFor({ timeout: STEP_MS });
    await until("the retained mark", async () => (await page.locator('li:has(> span > [data-testid="topic-home/office/lamp/state"]) .retained').count()) === 1);
    await expect(state.textContent()).resolves.toBe("on");
    await page.screenshot({ path: join(SHOTS, `${engine}-lamp-on.png`), fullPage: true });
  });

  it("rings the bell from its card, and the pin plays the pattern", async () => {
    const from = device.events.length;
    await page.locator('[data-testid="send-bell"]').click();
    const isBell = (value: 0 | 1) => (e: DeviceEvent) => e.type === "pin" && e.name === "bell" && e.value === value;
    const first = device.events.length;
    await device.waitFor(isBell(1), "the bell's first pulse", STEP_MS, from);
    await device.waitFor(isBell(0), "the pause", STEP_MS, first);
    await until("two pulses in the page's log", async () => (await page.locator('[data-testid="log"] div', { hasText: "bell     (*) on" }).count()) >= 2);
  });

  it("shows a reading for the slider's value at a subscriber in the page", async () => {
    await slide(page, "sensor", 900);
    // A TMP36 gives 500 mV + 10 mV per °C: 900 mV is 40 °C.
    await until("a 40 °C reading in the page", async () => (await readings(page, "home/office/temperature")).some((r) => r.value === 40));
    await expect(page.locator('[data-testid="reading-sensor"]').textContent()).resolves.toBe("900.0 mV");
  });

  it("holds readings while the network is off and delivers them in order, with the times they were taken, when it is back", async () => {
    // The page keeps the newest 100 messages of a subscription: readings are told apart by their
    // capture times, not by their place in the list.
    const lastBefore = Math.max(0, ...(await readings(page, "home/office/temperature")).map((r) => r.ts));
    const since = async () => (await readings(page, "home/office/temperature")).filter((r) => r.ts > lastBefore);
    await page.locator('[data-testid="network"]').uncheck();
    await page.locator('[data-testid="link"][data-state="offline"]').waitFor({ timeout: STEP_MS });
    // The broker saw the link die without a DISCONNECT: the device's will reaches the page.
    await until("the will", async () => (await page.locator('[data-testid="topic-home/office/status"]').textContent()) === "offline");
    await slide(page, "sensor", 1000);
    const outbox = async (): Promise<{ text: string; messages: number; dropped: number }> => {
      const text = (await page.locator('[data-testid="outbox"]').textContent()) ?? "";
      return { text, messages: Number(/^(\d+) messages/.exec(text)?.[1] ?? 0), dropped: Number(/(\d+) dropped/.exec(text)?.[1] ?? 0) };
    };
    await until("readings in the outbox", async () => (await outbox()).messages >= 2);
    await slide(page, "sensor", 1100);
    await until("the outbox full (2048 bytes)", async () => (await page.locator("#outbox-bar.full").count()) === 1 && (await outbox()).dropped > 0);
    await page.screenshot({ path: join(SHOTS, `${engine}-offline-full.png`), fullPage: true });
    // Held: what the outbox keeps. One of them may be a reading that was in flight at the cut and
    // that the page already had: it comes again marked DUP, with a capture time seen before the cut.
    const { text: gauge, messages: held } = await outbox();
    const resent = async () => {
      const dups = await page.locator('[data-testid="subscriptions"] .message[data-topic="home/office/temperature"]', { hasText: " dup " }).locator(".payload").allTextContents();
      return dups.map((text) => (JSON.parse(text) as { ts: number }).ts).filter((ts) => ts <= lastBefore).length;
    };
    const restoredAt = Date.now();
    await page.locator('[data-testid="network"]').check();
    await page.locator('[data-testid="link"][data-state="online"]').waitFor({ timeout: STEP_MS });

    const taken = async () => new Set((await since()).filter((r) => r.ts < restoredAt).map((r) => r.ts)).size;
    await until("the held readings", async () => (await taken()) + (await resent()) >= held).catch(async (error: Error) => {
      throw new Error(`${error.message}: held ${held} (gauge "${gauge}", now "${(await outbox()).text}"), delivered ${await taken()} and ${await resent()} again: ${(await since()).map((r) => `${r.value}@${r.ts - restoredAt}`).join(" ")} (ms from the restore; the last before the cut ${lastBefore - restoredAt})`);
    });
    // Every reading taken before the link came back, once each (health is published only on connect
    // here, so the outbox holds readings alone).
    const offline = (await since()).filter((r, i, all) => r.ts < restoredAt && (i === 0 || all[i - 1].ts !== r.ts));
    expect(offline.length + (await resent())).toBeGreaterThanOrEqual(held);
    // In order, as taken: capture times rise, and the values with the slider (40, then 50, then 60 °C).
    for (let i = 1; i < offline.length; i++) expect(offline[i].ts).toBeGreaterThan(offline[i - 1].ts);
    const values = offline.map((r) => r.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values).toContain(50);
    expect(values).toContain(60);
    await until("online again", async () => (await page.locator('[data-testid="topic-home/office/status"]').textContent()) === "online");
  }, 60_000);

  it("keeps the newest 100 messages of a subscription, newest on top", async () => {
    await page.locator('[data-testid="sub-filter"]').fill("flood/#");
    await page.locator('[data-testid="subscribe"]').click();
    await page.locator('[data-testid="pub-topic"]').fill("flood/n");
    for (let n = 0; n <= 100; n++) {
      await page.locator('[data-testid="pub-payload"]').fill(String(n));
      await page.locator('[data-testid="publish"]').click();
      await until(`message ${n} back`, async () => (await page.locator('.message[data-topic="flood/n"] .payload', { hasText: new RegExp(`^${n}$`) }).count()) === 1);
    }
    const payloads = await page.locator('.message[data-topic="flood/n"] .payload').allTextContents();
    expect(payloads).toHaveLength(100);
    expect(payloads[0]).toBe("100");
    expect(payloads[99]).toBe("1");
  }, 60_000);
});

describe.each<Engine>(["node", "xs"])("the panel, %s engine, external broker", (engine) => {
  let aedes: EmbeddedAedes;
  let device: DeviceProcess;

  beforeAll(async () => {
    aedes = await startEmbeddedAedes();
    device = await spawnDevice({ engine, broker: aedes.url, store: mkdtempSync(join(tmpdir(), "panel-")), flags: ["--panel-port", "0"], config: { deviceId: `will-${engine}`, discovery: false }, startTimeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await device?.kill();
    await aedes?.stop();
  });

  it("bridges the page's client to a TCP broker, and shows the will when the device is killed", async () => {
    const page = await openPanel(device);
    await expect(page.locator("#broker-switch").isHidden()).resolves.toBe(true);
    await page.locator('[data-testid="send-lamp"]').click();
    await page.locator('[data-testid="pin-lamp"][data-value="1"]').waitFor({ timeout: STEP_MS });
    // The page's client straight to the broker's own WebSocket: it outlives the simulator's process.
    await page.locator('[data-testid="client-url"]').fill(aedes.wsUrl);
    await page.locator('[data-testid="connect"]').click();
    await page.locator('[data-testid="client-state"][data-state="connected"]').waitFor({ timeout: STEP_MS });
    const status = page.locator('[data-testid="topic-home/office/status"]');
    await until("online", async () => (await status.textContent()) === "online");
    await device.kill();
    await until("the will, offline", async () => (await status.textContent()) === "offline");
    await page.close();
  }, 60_000);
});
