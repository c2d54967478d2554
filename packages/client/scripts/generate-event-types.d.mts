// Types of generate-event-types.mjs, for the test that checks the committed output is up to date.
export const DEFAULT_CATALOG_DIR: string;
export const OUTPUT_FILE: string;
export function readCatalog(dirs: string[]): unknown[];
export function schemaToType(schema: unknown, indent?: string): string;
export function renderEventTypes(areas: unknown[]): string;
