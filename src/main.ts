import { DAY_MS, loadConfig } from './config.js';
import { buildApp } from './service/build-app.js';
import { schedulePurge } from './retention/purge-scheduler.js';
import { scheduleStatisticsRefresh } from './store/planner-statistics.js';
import { createServices } from './service/create-services.js';
import { bootstrapIfEmpty } from './service/bootstrap.js';
import { LogCheckpointer } from './features/integrity/log-checkpointer.js';
import { LogSigningKeyFile } from './features/integrity/log-signing-key.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * `npm start`: the Attest service. Opens the store (migrating it), creates the bootstrap organization on the
 * first start, serves HTTP, signs checkpoints of every organization's log as it grows, purges expired events on a schedule and shuts down gracefully on SIGTERM/SIGINT:
 * it stops accepting requests, lets in-flight commits finish, then closes the store.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const services = await createServices(config);
  const app = await buildApp(services, { logger: { level: config.logLevel } });

  const bootstrap = await bootstrapIfEmpty(services.store, {
    email: config.bootstrapEmail,
    password: config.bootstrapPassword,
    orgName: config.bootstrapOrgName,
    timeZone: config.bootstrapTimeZone,
  });
  if (bootstrap) {
    app.log.info({ orgId: bootstrap.organization.id, owner: bootstrap.ownerEmail }, 'created the bootstrap organization and owner');
    if (bootstrap.generatedPassword) {
      // Printed once, on stdout, outside the JSON log so a person sees it; it is stored only as a hash.
      process.stdout.write(
        `\nBootstrap owner: ${bootstrap.ownerEmail}\nGenerated password (shown once): ${bootstrap.generatedPassword}\n\n`,
      );
    }
  }

  // On PostgreSQL, other processes' commits wake this process's live feeds and checkpointer as its own do.
  await services.store.followOtherProcesses(app.log);

  // The log key signs every organization's checkpoints; a checkpoint covers each event within a moment of its commit.
  // The key file is read again when `attest log-key rotate` replaces it, so a rotation needs no restart.
  const checkpointer = config.checkpointer
    ? new LogCheckpointer(services.store, await LogSigningKeyFile.open(config.logKeyFile, config.logName), config.logName, {
        log: app.log,
      })
    : undefined;
  await checkpointer?.start();

  const stopPurge = schedulePurge(services.store, config.purgeIntervalMinutes, config.retentionDays * DAY_MS, app.log);
  const stopStatisticsRefresh = scheduleStatisticsRefresh(services.store, app.log);
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests and commits');
    // A stuck connection must not keep the process alive forever; orchestrators SIGKILL after a grace period
    // anyway, and every acknowledged event is already committed.
    setTimeout(() => {
      app.log.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    try {
      await app.close();
      await services.committer.close();
      await checkpointer?.close();
      stopStatisticsRefresh();
      await stopPurge();
      await services.store.close();
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
