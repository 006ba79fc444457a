import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import WebSocket from 'ws';

/**
 * The browser: EOC_CHROMIUM when set, else chromium or chromium-browser on PATH (Debian's chromium
 * package puts it in /usr/bin; CI installs it in .ci/run). PATH decides, so a PATH without it
 * simulates a machine without Chromium (test/setup/fresh-clone.sh).
 */
export function findChromium(): string | null {
  if (process.env.EOC_CHROMIUM) return existsSync(process.env.EOC_CHROMIUM) ? process.env.EOC_CHROMIUM : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const p = join(dir || '.', name);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

export interface Browser {
  send: (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;
  events: { method: string; params: Record<string, unknown> }[];
  close: () => Promise<void>;
}

/**
 * Headless Chromium driven over the DevTools protocol: a fresh profile, no GPU, no background
 * traffic, debugging on an ephemeral loopback port (read from its "DevTools listening" line).
 */
export async function launch(executable: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'eoc-chromium-'));
  const proc: ChildProcess = spawn(
    executable,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--window-size=1400,1000',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 30000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
  });
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
  const page = targets.find((t) => t.type === 'page');
  if (!page) throw new Error('chromium has no page target');
  const ws = new WebSocket(page.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const events: Browser['events'] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown> };
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result ?? {});
    } else if (msg.method) events.push({ method: msg.method, params: msg.params ?? {} });
  });
  return {
    events,
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: async () => {
      ws.close();
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      // chromium's helper processes (zygote, crashpad) can still write into the profile for a moment
      // after the browser exits: retry the removal (a leftover temp profile is no test failure)
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
      } catch (e) {
        process.stderr.write(`eoc tests: could not remove chromium's temporary profile ${profile}: ${(e as Error).message}\n`);
      }
    },
  };
}

/** Evaluate an expression in the page and return its value (JSON-serializable). */
export async function evaluate<T>(b: Browser, expression: string): Promise<T> {
  const r = (await b.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as { result: { value: T }; exceptionDetails?: unknown };
  if (r.exceptionDetails) throw new Error(`page threw: ${JSON.stringify(r.exceptionDetails)}`);
  return r.result.value;
}

export async function waitFor(b: Browser, expression: string, timeoutMs = 30000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await evaluate<boolean>(b, expression)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${expression}`);
}
