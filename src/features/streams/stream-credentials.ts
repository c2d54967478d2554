import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// A destination's webhook secret or HEC token must be usable again (to sign, to authenticate), so it cannot be
// hashed like a password: it is kept encrypted with AES-256-GCM under a key derived from a deployment secret
// (`streamCredentialKey`). The destination's id is the additional data, so a ciphertext copied onto
// another destination's row does not decrypt there.

const VERSION = 'v1';

/** Encrypts a credential of destination `destinationId`: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function encryptCredential(key: Buffer, destinationId: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(destinationId));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** Decrypts what {@link encryptCredential} made; throws when it was altered or belongs to another destination. */
export function decryptCredential(key: Buffer, destinationId: string, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined)
    throw new Error('unknown stream credential format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(destinationId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
