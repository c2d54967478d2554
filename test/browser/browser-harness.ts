import { execFileSync } from 'node:child_process';
import { productAreas } from '../../src/catalog/catalog-registry.js';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { createProducerKey } from '../../src/auth/credentials.js';
import { loadConfig } from '../../src/config.js';
import type { IncomingEvent } from '../../src/catalog/incoming-event.js';
import { buildApp } from '../../src/service/build-app.js';
import type { AppServices } from '../../src/http/app-services.js';
import { createServices } from '../../src/service/create-services.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { generateSignerKey, parseSignerKey } from '../../src/integrity/note-keys.js';
import { bootstrapIfEmpty } from '../../src/service/bootstrap.js';

/**
 * What the browser tests share: Debian's Chromium (never a downloaded one), the real Attest server on a
 * temporary SQLite file listening on 127.0.0.1, and helpers that act through the real HTTP API.
 */

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/**
 * Where the run writes its screenshots: test-results/screenshots/ (ignored by git), or docs/screenshots/, the
 * ones the README shows, when ATTEST_UPDATE_SCREENSHOTS=1. Every run used to rewrite the committed images,
 * leaving a changed tree behind each test run.
 */
export const SCREENSHOT_DIR =
  process.env.ATTEST_UPDATE_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : join(REPO_ROOT, 'test-results', 'screenshots');
const CHROMIUM = process.env.ATTEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * True when the browser tests can run. Without Chromium they fail under CI=true and are skipped loudly
 * elsewhere (install it with `apt-get install chromium`; never `npx playwright install`).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist (apt-get install chromium).`);
  console.warn(`\n!!! SKIPPING browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium) !!!\n`);
  return false;
}

/** Launches headless Chromium with the flags that keep it quiet and offline-friendly. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** Builds the web app into dist/web when it is missing (`npm test` builds it first anyway). */
export function ensureWebAppBuilt(): void {
  if (existsSync(join(REPO_ROOT, 'dist', 'web', 'index.html'))) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

/** A running Attest server with one organization whose owner can sign in. */
export interface AttestServer {
  baseUrl: string;
  orgId: string;
  timeZone: string;
  owner: { email: string; password: string; name: string };
  services: AppServices;
  /** The Fastify app (for `inject`). */
  app: FastifyInstance;
  /** `Authorization` header value of a producer key for every product area. */
  producerBearer: string;
  /**
   * Starts what `main.ts` runs beside the server and the browser tests otherwise leave out: the background
   * checkpointer, signing with a fresh key under the deployment's log name. `close` stops it.
   */
  startCheckpointer(): Promise<LogCheckpointer>;
  close(): Promise<void>;
}

/**
 * Starts the real server (buildApp + listen on an ephemeral port) on a fresh SQLite file, configured further by
 * `env` (e.g. `ATTEST_CATALOG_DIR`). Its producer key may write every product area the catalog then holds.
 */
export async function startAttestServer(
  timeZone: string,
  orgName = 'Kiritimati Traders',
  env: Record<string, string> = {},
): Promise<AttestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'attest-browser-'));
  const config = loadConfig({ ATTEST_DATABASE_URL: `sqlite:${join(dir, 'attest.db')}`, LOG_LEVEL: 'warn', ...env });
  const services = await createServices(config);
  const owner = { email: 'olivia.owner@example.com', password: 'correct horse battery staple', name: 'Organization Owner' };
  const bootstrap = await bootstrapIfEmpty(services.store, { email: owner.email, password: owner.password, orgName, timeZone });
  if (!bootstrap) throw new Error('bootstrap did not create the organization');
  const products = productAreas().map((area) => area.product);
  const key = await createProducerKey(services.store.db, 'browser-tests', products, services.store.clock.now());
  const app: FastifyInstance = await buildApp(services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  const checkpointers: LogCheckpointer[] = [];
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    orgId: bootstrap.organization.id,
    timeZone,
    owner,
    services,
    app,
    producerBearer: `Bearer ${key.secret}`,
    async startCheckpointer() {
      const signer = await parseSignerKey(await generateSignerKey(config.logName));
      const checkpointer = new LogCheckpointer(services.store, signer, config.logName);
      checkpointers.push(checkpointer);
      await checkpointer.start();
      return checkpointer;
    },
    async close() {
      for (const checkpointer of checkpointers) await checkpointer.close();
      await app.close();
      await services.committer.close();
      await services.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Appends events through `POST /api/v1/events` with the producer key; returns their log ids in order. */
export async function ingestEvents(server: AttestServer, events: IncomingEvent[]): Promise<string[]> {
  const response = await fetch(`${server.baseUrl}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: server.producerBearer, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (response.status !== 201) throw new Error(`ingest failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { events: { logId: string }[] };
  return body.events.map((e) => e.logId);
}

/** Signs in through `POST /api/v1/session` and returns the `Cookie` header value. */
export async function signIn(server: AttestServer, email: string, password: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}

/** Calls the API as a signed-in user and returns the parsed JSON; a non-2xx answer throws with its body. */
export async function apiAs<T>(server: AttestServer, cookie: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The path of a screenshot the run writes (see {@link SCREENSHOT_DIR}). */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, name);
}
