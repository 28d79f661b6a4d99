// Shared pieces of the browser tests: the real ikewatchd on 127.0.0.1 ports the kernel picks,
// fed real corpus lines over UDP; `ikewatch replay --html` reports; Debian's chromium driven by
// playwright-core with a paused clock; screenshots compared with reviewed baselines.

import { spawn, execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..', '..');
export const ikewatchd = process.env.IKEWATCHD || path.join(root, 'build/debug/daemon/ikewatchd');
export const ikewatch = process.env.IKEWATCH || path.join(root, 'build/debug/cli/ikewatch');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

export function tmpdir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ikewatch-web-${name}-`));
}

// ---- corpus lines ---------------------------------------------------------------------------

const asaStamp = /^([A-Z][a-z]{2} +\d{1,2} \d{4} \d\d:\d\d:\d\d): (%(?:ASA|PIX|FTD)-.*)$/;
const consoleStamp = /^([A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d) (\[IKEv[12]\].*)$/;

/**
 * The records of a corpus file as a device would send them: comment lines dropped,
 * continuation lines kept with their record, and — given a host name — the device's
 * `logging device-id hostname` header (`Jun 10 2010 17:36:05 fw-hq : %ASA-…`). The message text
 * is the corpus line's, byte for byte.
 */
export function records(file, host, { until, oneLineEach = false } = {}) {
  const text = fs.readFileSync(path.join(root, 'tests', file), 'utf8');
  const lines = text.split('\n').filter((l) => !l.startsWith('#') && l.trim() !== '');
  if (oneLineEach) return lines;
  const stamped = lines.some((l) => asaStamp.test(l) || consoleStamp.test(l));
  const out = [];
  for (const line of lines) {
    const m = asaStamp.exec(line) || consoleStamp.exec(line);
    // In a stamped log every record starts with its stamp; the other lines continue it.
    const continues = out.length && (stamped ? !m : /^\s/.test(line));
    if (continues) {
      out[out.length - 1] += `\n${line}`;
      continue;
    }
    out.push(m && host ? `<166>${m[1]} ${host} : ${m[2]}` : line);
    if (until && line.includes(until)) break;
  }
  return out;
}

export async function sendUdp(port, lines) {
  const sock = dgram.createSocket('udp4');
  for (const line of lines) {
    await new Promise((resolve, reject) => sock.send(Buffer.from(line), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }
  sock.close();
}

// ---- the daemon -----------------------------------------------------------------------------

export class Daemon {
  constructor(name) {
    this.dir = tmpdir(name);
    this.stderrPath = path.join(this.dir, 'stderr.log');
  }

  async start() {
    const args = ['--udp', '127.0.0.1:0', '--tcp', '127.0.0.1:0', '--status', '127.0.0.1:0', '--alert-log', path.join(this.dir, 'alerts.json')];
    if (process.getuid && process.getuid() === 0) args.push('--allow-root');
    const err = fs.openSync(this.stderrPath, 'w');
    this.proc = spawn(ikewatchd, args, { stdio: ['ignore', 'ignore', err] });
    fs.closeSync(err);
    const deadline = Date.now() + 30000;
    for (;;) {
      const log = fs.readFileSync(this.stderrPath, 'utf8');
      const status = /status endpoint on http:\/\/[^:]+:(\d+)\//.exec(log);
      const udp = /listening on udp (\d+)/.exec(log);
      const tcp = /listening on tcp (\d+)/.exec(log);
      if (status && udp && tcp) {
        this.port = Number(status[1]);
        this.udpPort = Number(udp[1]);
        this.tcpPort = Number(tcp[1]);
        this.base = `http://127.0.0.1:${this.port}`;
        return this;
      }
      if (this.proc.exitCode !== null || Date.now() > deadline) {
        throw new Error(`ikewatchd did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  send(lines) {
    return sendUdp(this.udpPort, lines);
  }

  /** Sends over one TCP connection (newline framing): no line is lost, however many. */
  sendTcp(lines) {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.tcpPort, '127.0.0.1', () => sock.end(`${lines.join('\n')}\n`));
      sock.on('error', reject);
      sock.on('close', resolve);
    });
  }

  async json(p) {
    const res = await fetch(this.base + p);
    return res.json();
  }

  /** Waits until the fleet has `n` peers. */
  async waitPeers(n, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = await this.json('/api/fleet');
      if (f.total >= n) return f;
      if (Date.now() > deadline) throw new Error(`${f.total} peers, expected ${n}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await done;
    }
  }
}

/** `ikewatch replay --html` over corpus files; returns the report's path. */
export function report(name, files) {
  const dir = tmpdir(name);
  const out = path.join(dir, `${name}.html`);
  execFileSync(ikewatch, ['replay', '--html', out, ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

// ---- the browser ----------------------------------------------------------------------------

export async function browser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--font-render-hinting=none'],
  });
}

/**
 * A page with the clock installed and paused at `at` (ms), so durations and polling are
 * deterministic; console errors and page errors are collected in `page.problems`.
 */
export async function open(b, { scheme = 'light', at = Date.UTC(2026, 0, 1), bypassCSP = false } = {}) {
  const ctx = await b.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1,
    colorScheme: scheme, timezoneId: 'UTC', locale: 'en-US', bypassCSP });
  const page = await ctx.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(m.text()); });
  page.on('pageerror', (e) => page.problems.push(e.message));
  await page.clock.install({ time: at - 1000 });
  await page.clock.pauseAt(at);
  return page;
}

export function until(page, fn, arg) {
  return page.waitForFunction(fn, arg, { polling: 50, timeout: 10000 });
}

/**
 * Compares a full-page screenshot with `baseline/NAME.png` (pixelmatch, threshold 0.1; at most
 * 0.1 % of the pixels may differ, for antialiasing). UPDATE_BASELINES=1 writes the baseline
 * instead; a person looks at it before it is committed. On a mismatch the shot and a diff
 * image are kept next to the baseline as NAME.actual.png and NAME.diff.png.
 */
export async function matchesBaseline(page, name, options = {}) {
  const shot = PNG.sync.read(await page.screenshot({ fullPage: true, animations: 'disabled', ...options }));
  const file = path.join(here, '..', 'baseline', `${name}.png`);
  if (process.env.UPDATE_BASELINES === '1' || !fs.existsSync(file)) {
    if (process.env.UPDATE_BASELINES !== '1') throw new Error(`no baseline ${file} (UPDATE_BASELINES=1 writes it)`);
    fs.writeFileSync(file, PNG.sync.write(shot));
    return { differing: 0 };
  }
  const base = PNG.sync.read(fs.readFileSync(file));
  const actualPath = file.replace(/\.png$/, '.actual.png');
  const diffPath = file.replace(/\.png$/, '.diff.png');
  if (base.width !== shot.width || base.height !== shot.height) {
    fs.writeFileSync(actualPath, PNG.sync.write(shot));
    throw new Error(`${name}: ${shot.width}x${shot.height}, baseline ${base.width}x${base.height} (see ${actualPath})`);
  }
  const diff = new PNG({ width: base.width, height: base.height });
  const differing = pixelmatch(base.data, shot.data, diff.data, base.width, base.height, { threshold: 0.1 });
  if (differing > base.width * base.height * 0.001) {
    fs.writeFileSync(actualPath, PNG.sync.write(shot));
    fs.writeFileSync(diffPath, PNG.sync.write(diff));
    throw new Error(`${name}: ${differing} pixels differ from the baseline (see ${diffPath})`);
  }
  return { differing };
}

/** axe-core in the page (its own context bypasses the CSP that refuses injected scripts). */
export async function axe(page) {
  await page.clock.resume(); // axe yields with setTimeout
  await page.addScriptTag({ path: path.join(here, '..', 'node_modules', 'axe-core', 'axe.min.js') });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
