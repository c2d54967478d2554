import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { streamHarness, type StreamHarness } from './stream-harness.js';

/**
 * TLS is verified: a receiver whose certificate chains to no trusted CA is refused, and accepted once the
 * destination carries that CA as its `caBundle`; the same for syslog over TLS (RFC 5425 framing: octet counting).
 */

let dir: string;
let ca: string;
let https: HttpsServer;
let tls: TlsServer;
const httpsBodies: string[] = [];
let tlsBytes = '';
let ts: TestStore;
let h: StreamHarness;

beforeAll(async () => {
  // A CA and a certificate for 127.0.0.1 signed by it, made with Debian's openssl for this run.
  dir = mkdtempSync(join(tmpdir(), 'attest-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Attest Test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const options = { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) };
  https = createHttpsServer(options, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      httpsBodies.push(body);
      res.writeHead(204).end();
    });
  });
  tls = createTlsServer(options, (socket) => {
    socket.on('data', (c: Buffer) => (tlsBytes += c.toString()));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  ts = await createTestStore('sqlite');
  h = await streamHarness(ts);
});
afterAll(async () => {
  await h?.close();
  await ts?.dispose();
  https?.close();
  tls?.close();
  rmSync(dir, { recursive: true, force: true });
});

const portOf = (server: HttpsServer | TlsServer) => (server.address() as AddressInfo).port;

describe('TLS destinations', () => {
  it("an https webhook with an unknown CA is refused, and delivered to with the destination's caBundle", async () => {
    const stream = await h.createStream({ kind: 'webhook', url: `https://127.0.0.1:${portOf(https)}/hook` });
    await h.append(5);
    await expect.poll(async () => (await h.readStream(stream.id)).lastError, { timeout: 10_000 }).toMatch(/certificate/);
    expect(httpsBodies).toEqual([]);
    await h.patchStream(stream.id, { caBundle: ca });
    const last = await ts.store.events.lastSeq(h.t.org.id);
    await expect.poll(async () => (await h.readStream(stream.id)).lastDeliveredSeq, { timeout: 10_000 }).toBe(last);
    expect(httpsBodies.length).toBeGreaterThan(0);
    await h.patchStream(stream.id, { enabled: false });
  });

  it('syslog over TLS sends octet-counted RFC 5424 frames once the certificate verifies', async () => {
    const stream = await h.createStream({ kind: 'syslog', url: `tls://127.0.0.1:${portOf(tls)}`, caBundle: ca });
    const last = await h.append(20);
    await expect.poll(async () => (await h.readStream(stream.id)).lastDeliveredSeq, { timeout: 10_000 }).toBe(last);
    const frames: string[] = [];
    let rest = Buffer.from(tlsBytes);
    while (rest.length > 0) {
      const space = rest.indexOf(0x20);
      const length = Number(rest.subarray(0, space).toString());
      frames.push(rest.subarray(space + 1, space + 1 + length).toString());
      rest = rest.subarray(space + 1 + length);
    }
    expect(frames.length).toBe(last - stream.lastDeliveredSeq);
    for (const frame of frames)
      expect(frame).toMatch(
        /^<10[89]>1 \S+ \S+ attest \d+ \S+ \[attest@32473 logId="[0-9a-f-]{36}" seq="\d+" org="[0-9a-f-]{36}"\] \{.*"leafHash":"[0-9a-f]{64}"\}$/,
      );
  });
});
