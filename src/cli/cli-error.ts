/**
 * An error meant for the person at the terminal: printed without a stack, exit code 1. In a file of its own
 * (`cli-store.ts` passes it on) so that code on a worker thread, the bundle verifier's, throws it without
 * loading the store.
 */
export class CliError extends Error {}
