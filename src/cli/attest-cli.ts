import { Command } from 'commander';
import { loadCatalogFolder } from '../catalog/catalog-registry.js';
import { CliError } from './cli-store.js';
import { registerCredentialCommands } from './commands/credential-commands.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerExportCommand } from './commands/export-command.js';
import { registerLogKeyCommand } from './commands/log-key-command.js';
import { registerMigrateCommand } from './commands/migrate-command.js';
import { registerOrgCommand } from './commands/org-command.js';
import { registerPurgeCommand } from './commands/purge-command.js';
import { registerVerifyCommand } from './commands/verify-command.js';

/**
 * The `attest` command line for operators. Every command honours ATTEST_DATABASE_URL and works beside a
 * running server (the store serializes writers across processes).
 */
const program = new Command().name('attest').description('Attest: audit logs for multi-tenant SaaS platforms').showHelpAfterError();

// Every command sees the same catalog as the server: the built-in product areas and ATTEST_CATALOG_DIR's.
program.hook('preAction', () => {
  const catalogDir = process.env.ATTEST_CATALOG_DIR;
  if (catalogDir) loadCatalogFolder(catalogDir);
});

registerCredentialCommands(program);
registerPurgeCommand(program);
registerExportCommand(program);
registerDemoCommand(program);
registerOrgCommand(program);
registerVerifyCommand(program);
registerLogKeyCommand(program);
registerMigrateCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`attest: ${error instanceof CliError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
