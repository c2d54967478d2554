import type { Command } from 'commander';
import { createApiToken, createProducerKey } from '../../auth/credentials.js';
import { PRODUCT_AREAS } from '../../catalog/catalog-registry.js';
import { findUserByEmail, listMemberships } from '../../tenancy/tenancy-queries.js';
import { CliError, withCliStore } from '../cli-store.js';

/** `attest producer-key create` and `attest token create`: each prints one secret on stdout and nothing else. */
export function registerCredentialCommands(program: Command): void {
  const producerKey = program.command('producer-key').description('manage producer keys (services that append events)');
  producerKey
    .command('create')
    .description('create a producer key for one or more product areas; prints the secret (shown once)')
    .requiredOption('--product <product...>', `product area(s) the key may write: ${PRODUCT_AREAS.map((a) => a.product).join(', ')}`)
    .option('--name <name>', 'a name to recognise the key by', 'producer')
    .action(async (options: { product: string[]; name: string }) => {
      const known = new Set(PRODUCT_AREAS.map((a) => a.product));
      const unknown = options.product.filter((p) => !known.has(p));
      if (unknown.length > 0) throw new CliError(`unknown product ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
      const { secret } = await withCliStore((store) => createProducerKey(store.db, options.name, options.product, store.clock.now()));
      process.stdout.write(`${secret}\n`);
    });

  const token = program.command('token').description('manage owner API tokens');
  token
    .command('create')
    .description('create an API token for an organization owner; prints the secret (shown once)')
    .requiredOption('--email <email>', 'email of an organization owner')
    .option('--name <name>', 'a name to recognise the token by', 'cli')
    .action(async (options: { email: string; name: string }) => {
      const secret = await withCliStore(async (store) => {
        const user = await findUserByEmail(store.db, options.email);
        if (!user) throw new CliError(`no user with email ${options.email}`);
        const memberships = await listMemberships(store.db, user.id, store.clock.now());
        if (!memberships.some((m) => m.userType === 'owner')) throw new CliError(`${options.email} is not an owner of any organization`);
        return (await createApiToken(store.db, user.id, options.name, store.clock.now())).secret;
      });
      process.stdout.write(`${secret}\n`);
    });
}
