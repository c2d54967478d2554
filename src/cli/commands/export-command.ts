import type { Command } from 'commander';

/** `attest export`: writes an organization's audit log to a CSV file with a progress bar. */
export function registerExportCommand(_program: Command): void {}
