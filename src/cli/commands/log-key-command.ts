import type { Command } from 'commander';
import { rotateLogSigningKey } from '../../features/integrity/log-signing-key.js';
import { withCliStore } from '../cli-store.js';

/**
 * `attest log-key rotate` (PRODUCT.md §8): replaces the Ed25519 log key in `ATTEST_LOG_KEY_FILE` with a new
 * one and publishes its verifier key as the key in use from now; the previous verifier key stays listed by
 * `GET /api/v1/log-keys`, with `validUntil` now, for the checkpoints it signed. Running servers that share the
 * key file sign with the new key from their next checkpoint on, without a restart. Prints the new verifier key
 * (public) on stdout.
 */
export function registerLogKeyCommand(program: Command): void {
  const logKey = program.command('log-key').description('manage the Ed25519 key that signs the checkpoints of every log');
  logKey
    .command('rotate')
    .description('start a new signing key; older verifier keys stay published for the checkpoints they signed')
    .action(async () => {
      const vkey = await withCliStore(async (store, config) => {
        // The file first: should the publication fail, the next server round publishes the key it finds in the file.
        const signer = await rotateLogSigningKey(config.logKeyFile, config.logName);
        await store.merkleTrees.publishKey(signer.verifierKey, store.clock.now());
        return signer.verifierKey;
      });
      process.stdout.write(`${vkey}\n`);
      process.stderr.write('the new log key signs from the next checkpoint on; the previous verifier key stays published\n');
    });
}
