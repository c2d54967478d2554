import { describe, expect, it } from 'vitest';
import { hashSecret, isUuid, newId } from '../src/core/ids.js';
import { random16 } from '../src/core/random-pool.js';
import { newTraceId } from '../src/core/trace-context.js';

// Event ids and trace ids draw from a pooled CSPRNG: every draw must be fresh, also across pool refills.
describe('pooled random identifiers', () => {
  it('hands out 16 fresh bytes per draw, across several refills of the pool', () => {
    const first = random16();
    const copyOfFirst = Buffer.from(first);
    const draws = Array.from({ length: 2000 }, () => random16().toString('hex'));
    expect(new Set(draws).size).toBe(2000);
    expect(draws.every((hex) => hex.length === 32)).toBe(true);
    // A draw is the caller's own: refilling the pool does not change it.
    expect(first.equals(copyOfFirst)).toBe(true);
  });

  it('makes distinct UUIDv7 event ids carrying the given time, and distinct W3C trace ids', () => {
    const at = Date.UTC(2026, 10, 25, 12, 0, 0);
    const ids = Array.from({ length: 1500 }, () => newId(at));
    expect(new Set(ids).size).toBe(1500);
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect(parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at);
    }
    const traces = Array.from({ length: 1500 }, () => newTraceId());
    expect(new Set(traces).size).toBe(1500);
    expect(traces.every((t) => /^[0-9a-f]{32}$/.test(t))).toBe(true);
  });
});

// Stored keys, tokens and sessions are found by this hash: it must never change for a given secret.
describe('secret hash', () => {
  it('is the hex SHA-256 of the secret as UTF-8 (known answer, computed with sha256sum)', () => {
    expect(hashSecret('atp_Zoë-secret')).toBe('cce376152a56d97f10da3f185361e3a79abcce369319279f1160a2bfe8968003');
  });
});
