import type { Command } from 'commander';
import { DAY_MS } from '../../config.js';
import { findProductArea } from '../../catalog/catalog-registry.js';
import { isUuid } from '../../core/ids.js';
import { ingestProductAreaActivity } from '../demo/product-area-activity.js';
import { bootstrapIfEmpty } from '../../service/bootstrap.js';
import { findOrganization, findUserByEmail, listOrganizations } from '../../store/queries/tenancy-queries.js';
import { DEMO_ACCOUNTS } from '../../features/user-management/demo/demo-people.js';
import { fillDemoActivity } from '../../features/user-management/demo/demo-activity.js';
import { findMember } from '../../store/queries/user-management/member-queries.js';
import { CliError, withCliStore } from '../cli-store.js';

/** `attest demo`: fills an organization with realistic User Management activity through the real operations. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'fill the bootstrap organization (or --org) with three weeks of User Management activity, made by the real operations, and of the other product areas (Loyalty+, Engage+, Insights+, ATTEST_CATALOG_DIR), sent through the ingest API; prints demo logins',
    )
    .option('--org <orgId>', 'the organization to fill (default: the bootstrap organization)')
    .action(async (options: { org?: string }) => {
      const result = await withCliStore(async (store, config) => {
        const bootstrap = await bootstrapIfEmpty(store, {
          email: config.bootstrapEmail,
          password: config.bootstrapPassword,
          orgName: config.bootstrapOrgName,
          timeZone: config.bootstrapTimeZone,
        });
        if (bootstrap?.generatedPassword)
          process.stdout.write(
            `Created the bootstrap owner ${bootstrap.ownerEmail} with password ${bootstrap.generatedPassword} (shown once)\n`,
          );
        const org = options.org
          ? isUuid(options.org)
            ? await findOrganization(store.db, options.org)
            : undefined
          : (await listOrganizations(store.db))[0];
        if (!org) throw new CliError(`no organization ${options.org ?? ''}`.trim());
        const marker = await findUserByEmail(store.db, DEMO_ACCOUNTS[0].email);
        if (marker && (await findMember(store.db, org.id, marker.id, store.clock.now())))
          throw new CliError(`the demo has already filled ${org.name} (${org.id})`);
        const people = await fillDemoActivity(store, org, { retentionMs: config.retentionDays * DAY_MS, nowMs: store.clock.now() });
        const products = await ingestProductAreaActivity(store, config, org.id, { nowMs: store.clock.now() });
        return { ...people, products };
      });
      const lines = [
        `Filled ${result.org.name} (${result.org.id}): ${result.events} audit events, ${result.members} members.`,
        `Ingested ${result.products.events} events of ${result.products.products.map((p) => findProductArea(p)?.displayName ?? p).join(', ')} through the ingest API, one producer key per product area.`,
        '',
        'Demo logins (to try each role):',
        ...result.credentials.map((c) => `  ${c.userType.padEnd(8)}  ${c.email.padEnd(32)}  ${c.password}`),
        '',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
