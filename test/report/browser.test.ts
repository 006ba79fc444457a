import { it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReport } from '../../src/report/build.js';
import { FIGURES } from '../../src/report/figures/index.js';
import { fixture } from './fixture.js';
import { chromiumRequirement, describeRequiring } from '../support/requirements.js';
import { evaluate, findChromium, launch, waitFor, type Browser } from './cdp.js';

/**
 * The page in a real browser. Needs Chromium (test/support/requirements.ts): skipped, and counted
 * as skipped, when it is missing; under CI a missing Chromium fails the test instead.
 * EOC_BROWSER_REPORT=<report folder> checks that report instead of a fixture (and leaves a
 * screenshot.png in it).
 */
const chromium = chromiumRequirement();

describeRequiring(chromium, 'report page in headless Chromium', () => {
  let dir = '';
  let tmp = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    const exe = findChromium();
    if (!exe) return; // describeRequiring fails each test with the reason
    if (process.env.EOC_BROWSER_REPORT) dir = process.env.EOC_BROWSER_REPORT;
    else {
      const { name, title, config, lines } = await fixture();
      tmp = mkdtempSync(join(tmpdir(), 'eoc-browser-'));
      dir = (await buildReport({ name, title, config, lines, outRoot: tmp, provenance: { command: 'test', timings: {}, source: 'fixture' } })).dir;
    }
    browser = await launch(exe);
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('renders offline with no console errors, and the slider moves the spectrum view', async () => {
    const b = browser!;
    await b.send('Network.enable');
    await b.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: 0, uploadThroughput: 0 });
    await b.send('Runtime.enable');
    await b.send('Log.enable');
    await b.send('Page.enable');
    await b.send('Emulation.setDeviceMetricsOverride', { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false });
    await b.send('Page.navigate', { url: pathToFileURL(join(dir, 'index.html')).href });
    await waitFor(b, `document.readyState === 'complete' && document.body.getAttribute('data-interactive') !== null`);
    expect(await evaluate<string>(b, `document.body.getAttribute('data-interactive')`)).toBe('ready');

    // every static figure is on the page (inline SVG or inline PNG)
    const figs = await evaluate<number>(b, `document.querySelectorAll('figure svg, figure img').length`);
    expect(figs).toBe(FIGURES.length);
    const imgsLoaded = await evaluate<boolean>(b, `[...document.querySelectorAll('figure img')].every((i) => i.complete && i.naturalWidth > 0)`);
    expect(imgsLoaded).toBe(true);

    const spectrum = `(document.querySelector('#interactive .view_spectrum_marks') || {}).innerHTML || ''`;
    const before = await evaluate<string>(b, spectrum);
    expect(before.length).toBeGreaterThan(100);
    const readoutBefore = await evaluate<string>(b, `document.querySelector('#interactive .view_readout_marks').textContent`);
    // drag the slider to the far end: an input event, as a user's drag fires
    await evaluate(b, `(() => { const i = document.querySelector('#interactive input[type=range]'); i.value = i.max; i.dispatchEvent(new Event('input', { bubbles: true })); })()`);
    await waitFor(b, `${spectrum} !== ${JSON.stringify(before)}`, 10000);
    const after = await evaluate<string>(b, spectrum);
    expect(after).not.toBe(before);
    expect(await evaluate<string>(b, `document.querySelector('#interactive .view_readout_marks').textContent`)).not.toBe(readoutBefore);
    // put it back where a reader starts, for the screenshot
    await evaluate(b, `(() => { const i = document.querySelector('#interactive input[type=range]'); i.value = ${JSON.stringify('1.1')}; i.dispatchEvent(new Event('input', { bubbles: true })); })()`);

    const errors = b.events.filter(
      (e) =>
        e.method === 'Runtime.exceptionThrown' ||
        (e.method === 'Runtime.consoleAPICalled' && (e.params.type === 'error' || e.params.type === 'assert')) ||
        (e.method === 'Log.entryAdded' && (e.params.entry as { level: string }).level === 'error'),
    );
    expect(errors.map((e) => JSON.stringify(e.params).slice(0, 300))).toEqual([]);
    // nothing left the machine: only the file itself and inline data were requested
    const urls = b.events.filter((e) => e.method === 'Network.requestWillBeSent').map((e) => (e.params.request as { url: string }).url);
    expect(urls.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);

    const shot = (await b.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: 1400, height: 1000, scale: 1 } })) as { data: string };
    writeFileSync(join(dir, 'screenshot.png'), Buffer.from(shot.data, 'base64'));
    const box = await evaluate<{ y: number; h: number }>(b, `(() => { const r = document.getElementById('interactive').getBoundingClientRect(); return { y: r.top + window.scrollY, h: r.height }; })()`);
    const view = (await b.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: Math.max(0, box.y - 60), width: 1400, height: box.h + 80, scale: 1 } })) as { data: string };
    writeFileSync(join(dir, 'screenshot-interactive.png'), Buffer.from(view.data, 'base64'));
  });
});
