import type { Command } from 'commander';
import { createApiToken, createOperatorToken, createProducerKey, revokeProducerKey } from '../../auth/credentials.js';
import type { AttestStore } from '../../store/attest-store.js';
import {
  deleteApiToken,
  deleteOperatorToken,
  listApiTokens,
  listOperatorTokens,
  listProducerKeys,
} from '../../store/queries/credential-queries.js';
import { existingOrganizationIds, findUserByEmail, listMemberships } from '../../store/queries/tenancy-queries.js';
import { productAreas } from '../../catalog/catalog-registry.js';
import { CliError, withCliStore } from '../cli-store.js';

/**
 * `attest producer-key create`, `attest token create` and `attest operator-token create` each print one secret on
 * stdout and nothing else.
 * `list` prints one tab-separated line per credential (never a secret: only hashes are stored), and `revoke`
 * deletes one by id, so a leaked secret stops working at once, also in a server already running.
 */
export function registerCredentialCommands(program: Command): void {
  const producerKey = program.command('producer-key').description('manage producer keys (services that append events)');
  producerKey
    .command('create')
    .description('create a producer key for one or more product areas; prints the secret (shown once)')
    .requiredOption(
      '--product <product...>',
      `product area(s) the key may write: ${productAreas()
        .map((a) => a.product)
        .join(', ')}`,
    )
    .option(
      '--org <orgId...>',
      'organization id(s) the key may write for (repeat it or separate with commas); without it the key is platform-wide',
    )
    .option('--name <name>', 'a name to recognise the key by', 'producer')
    .action(async (options: { product: string[]; org?: string[]; name: string }) => {
      const known = new Set(productAreas().map((a) => a.product));
      const unknown = options.product.filter((p) => !known.has(p));
      if (unknown.length > 0) throw new CliError(`unknown product ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
      const orgIds = options.org === undefined ? 'all' : splitList(options.org);
      if (orgIds !== 'all' && orgIds.length === 0) throw new CliError('--org needs at least one organization id');
      const { secret } = await withCliStore(async (store) => {
        if (orgIds !== 'all') {
          const missing = await missingOrganizations(store, orgIds);
          if (missing.length > 0) throw new CliError(`no organization with id ${missing.join(', ')}`);
        }
        return createProducerKey(store.db, options.name, options.product, store.clock.now(), orgIds);
      });
      process.stdout.write(`${secret}\n`);
    });

  producerKey
    .command('list')
    .description(
      'list producer keys, one tab-separated line each: id, name, products (comma-separated), created (UTC), organizations (comma-separated, or * for a platform-wide key)',
    )
    .action(async () => {
      const keys = await withCliStore((store) => listProducerKeys(store.db));
      process.stdout.write(
        keys
          .map((k) => tsvLine([k.id, k.name, k.products.join(','), isoTime(k.createdAt), k.orgIds === 'all' ? '*' : k.orgIds.join(',')]))
          .join(''),
      );
    });
  addRevokeCommand(producerKey, 'producer key', revokeProducerKey);

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
  token
    .command('list')
    .description('list owner API tokens, one tab-separated line each: id, name, owner email, created (UTC)')
    .option('--email <email>', 'only the tokens of this user')
    .action(async (options: { email?: string }) => {
      const tokens = await withCliStore((store) => listApiTokens(store.db, options.email));
      process.stdout.write(tokens.map((t) => tsvLine([t.id, t.name, t.ownerEmail, isoTime(t.createdAt)])).join(''));
    });
  addRevokeCommand(token, 'API token', deleteApiToken);

  const operatorToken = program
    .command('operator-token')
    .description('manage operator tokens (platforms that create organizations through POST /api/v1/orgs)');
  operatorToken
    .command('create')
    .description("create an operator token; prints the secret (shown once). It creates organizations and reads no organization's data")
    .option('--name <name>', 'a name to recognise the token by', 'operator')
    .action(async (options: { name: string }) => {
      const { secret } = await withCliStore((store) => createOperatorToken(store.db, options.name, store.clock.now()));
      process.stdout.write(`${secret}\n`);
    });
  operatorToken
    .command('list')
    .description('list operator tokens, one tab-separated line each: id, name, created (UTC)')
    .action(async () => {
      const tokens = await withCliStore((store) => listOperatorTokens(store.db));
      process.stdout.write(tokens.map((t) => tsvLine([t.id, t.name, isoTime(t.createdAt)])).join(''));
    });
  addRevokeCommand(operatorToken, 'operator token', deleteOperatorToken);
}

/** `<group> revoke <id>`: deletes one credential, says which on stderr, or fails naming the id. */
function addRevokeCommand(
  group: Command,
  noun: string,
  revoke: (db: AttestStore['db'], id: string) => Promise<{ id: string; name: string } | undefined>,
): void {
  group
    .command('revoke')
    .description(`revoke one ${noun} by its id (see list); requests with it are refused from then on`)
    .argument('<id>', `the id of the ${noun}`)
    .action(async (id: string) => {
      const revoked = await withCliStore((store) => revoke(store.db, id));
      if (!revoked) throw new CliError(`no ${noun} with id ${id}`);
      process.stderr.write(`revoked ${noun} ${revoked.id} (${revoked.name})\n`);
    });
}

/** `--org a,b --org c` → `[a, b, c]`: a list option may be repeated, comma-separated, or both. */
function splitList(values: readonly string[]): string[] {
  return [
    ...new Set(
      values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v.length > 0),
    ),
  ];
}

async function missingOrganizations(store: AttestStore, orgIds: readonly string[]): Promise<string[]> {
  const known = await existingOrganizationIds(store.db, orgIds);
  return orgIds.filter((id) => !known.has(id));
}

/** One line of tab-separated fields; tabs and line breaks inside a name become spaces, so a line stays a record. */
function tsvLine(fields: string[]): string {
  return `${fields.map((field) => field.replace(/[\t\r\n]/g, ' ')).join('\t')}\n`;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
