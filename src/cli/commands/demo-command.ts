import type { Command } from 'commander';

/** `attest demo`: fills an organization with realistic User Management activity through the real operations. */
export function registerDemoCommand(_program: Command): void {}
