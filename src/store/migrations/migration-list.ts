import type { Migration, MigrationProvider } from 'kysely';
import { coreTables } from './0001-core-tables.js';
import { userManagementTables } from './0002-user-management.js';
import { leanerEventIndexes } from './0003-leaner-event-indexes.js';
import { organizationNumbers } from './0004-organization-numbers.js';
import { accountInvitations } from './0005-account-invitations.js';
import { loginThrottle } from './0006-login-throttle.js';
import { ingestHardening } from './0007-ingest-hardening.js';
import { merkleTrees } from './0008-merkle-trees.js';
import { streamDestinations } from './0009-stream-destinations.js';
import { postgresEventPartitions } from './0010-postgres-event-partitions.js';
import { prunedLogRanges } from './0011-pruned-log-ranges.js';
import { merkleTiles } from './0012-merkle-tiles.js';

/**
 * Every migration, in order. Names sort lexically, so they carry a four-digit prefix. Migrations are code in
 * the build, not files read at run time, so the CLI and the server find them wherever they are installed.
 */
const migrations: Record<string, Migration> = {
  '0001-core-tables': coreTables,
  '0002-user-management': userManagementTables,
  '0003-leaner-event-indexes': leanerEventIndexes,
  '0004-organization-numbers': organizationNumbers,
  '0005-account-invitations': accountInvitations,
  '0006-login-throttle': loginThrottle,
  '0007-ingest-hardening': ingestHardening,
  '0008-merkle-trees': merkleTrees,
  '0009-stream-destinations': streamDestinations,
  '0010-postgres-event-partitions': postgresEventPartitions,
  '0011-pruned-log-ranges': prunedLogRanges,
  '0012-merkle-tiles': merkleTiles,
};

/** Hands Kysely's Migrator the list above. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
