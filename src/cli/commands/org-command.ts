import type { Command } from 'commander';
import { AttestError } from '../../core/errors.js';
import type { ActingPrincipal } from '../../features/user-management/command-context.js';
import { createOrganization, type CreatedOrganization } from '../../features/user-management/organization-commands.js';
import { DAY_MS } from '../../config.js';
import { newTraceId } from '../../core/trace-context.js';
import { CliError, withCliStore } from '../cli-store.js';

/** Who the audit log names for what the CLI does: the operator at the terminal, as the system. */
const CLI_ACTOR: ActingPrincipal = { userId: 'attest-cli', name: 'attest CLI', email: '', kind: 'system' };

/**
 * `attest org create`: creates an organization for a multi-tenant platform. The first line of stdout is the new
 * organization's id (PRODUCT.md §11, for scripts); the next says how the owner gets in, with their one-time
 * welcome link: activation for a new account, acceptance of the pending owner membership for an existing one.
 */
export function registerOrgCommand(program: Command): void {
  const org = program.command('org').description('manage organizations');
  org
    .command('create')
    .description("create an organization with its first owner; prints its id, then the owner's one-time welcome link")
    .requiredOption('--name <name>', "the organization's name")
    .requiredOption('--owner-email <email>', 'email of its first owner')
    .option('--owner-name <name>', "the owner's name, when the account is new")
    .option('--time-zone <zone>', 'IANA time zone its days are shown in', 'UTC')
    .option('--id <uuid>', "the platform's own UUID for the organization (default: a new one)")
    .action(async (options: { name: string; ownerEmail: string; ownerName?: string; timeZone: string; id?: string }) => {
      const created = await withCliStore(async (store, config) => {
        try {
          return await createOrganization(
            { store, clock: store.clock, retentionMs: config.retentionDays * DAY_MS, traceId: newTraceId(), actor: CLI_ACTOR },
            {
              name: options.name,
              ownerEmail: options.ownerEmail,
              timeZone: options.timeZone,
              ...(options.ownerName ? { ownerName: options.ownerName } : {}),
              ...(options.id ? { id: options.id } : {}),
            },
          );
        } catch (error) {
          if (error instanceof AttestError)
            throw new CliError(
              error.errors.length > 0 ? error.errors.map((e) => `--${kebab(e.field)} ${e.reason}`).join('; ') : error.message,
            );
          throw error;
        }
      });
      process.stdout.write(`${created.org.id}\n${ownerLine(created)}\n`);
    });
}

function ownerLine({ owner }: CreatedOrganization): string {
  const until = new Date(owner.welcomeLink.expiresAt).toISOString();
  return owner.status === 'active'
    ? `owner ${owner.member.email}: new account; activation link (shown once, valid until ${until}): ${owner.welcomeLink.url}`
    : `owner ${owner.member.email}: existing account, pending owner membership; invitation link to accept it (shown once, valid until ${until}): ${owner.welcomeLink.url}`;
}

/** `timeZone` → `time-zone`: errors name the option the operator typed. */
function kebab(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
