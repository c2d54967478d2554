import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Refuses destinations that resolve to loopback, link-local (cloud metadata at 169.254.169.254), private,
 * unique-local, carrier-grade NAT or other non-public addresses, so an owner cannot make Attest post its log to
 * the deployment's own network (SSRF). Checked when a destination is saved and again by the connection's own
 * DNS lookup, so a name that resolved to a public address at creation and to 127.0.0.1 later (DNS rebinding)
 * is refused when it matters.
 */

/** Thrown when a destination's address is not public; the message names the address. */
export class PrivateAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a loopback, link-local or private address (set ATTEST_STREAMS_ALLOW_PRIVATE=true to allow it)`);
    this.name = 'PrivateAddressError';
  }
}

/** True for an address on the public internet (ipaddr.js's `unicast` range, IPv4-mapped IPv6 unwrapped). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** Throws {@link PrivateAddressError} for the first non-public address among `addresses`. */
function refusePrivate(host: string, addresses: readonly string[]): void {
  const refused = addresses.find((a) => !isPublicAddress(a));
  if (refused !== undefined) throw new PrivateAddressError(host, refused);
}

/** Resolves `host` (an IP literal stands for itself) and throws when any address it has is not public. */
export async function assertPublicHost(host: string): Promise<void> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return refusePrivate(host, [bare]);
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(bare, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
  );
  refusePrivate(
    host,
    addresses.map((a) => a.address),
  );
}

/**
 * A `lookup` for `net`, `tls`, `http` and `https` that refuses non-public answers, so the address checked is
 * the address connected to. Node skips `lookup` for an IP literal: {@link assertPublicHost} covers those
 * before connecting.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, options, (error, address: string | LookupAddress[], family?: number) => {
    if (error) return callback(error, '', 0);
    const found = Array.isArray(address) ? address.map((a) => a.address) : [address];
    try {
      refusePrivate(hostname, found);
    } catch (refused) {
      return callback(refused as NodeJS.ErrnoException, '', 0);
    }
    // The callback's shape follows `options.all`: a list, or one address and its family.
    (callback as (e: null, a: string | LookupAddress[], f?: number) => void)(null, address, family);
  });
};
