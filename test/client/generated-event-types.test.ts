import { readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CATALOG_DIR,
  OUTPUT_FILE,
  readCatalog,
  renderEventTypes,
  schemaToType,
} from '../../packages/client/scripts/generate-event-types.mjs';
import { EVENT_TYPE_PRODUCTS } from '../../packages/client/src/index.js';
import { productAreas } from '../../src/catalog/catalog-registry.js';

describe('the SDK event types generated from the catalog', () => {
  it('are up to date with catalog/*.json (run `npm run generate:client` when this fails)', async () => {
    const rendered = renderEventTypes(readCatalog([DEFAULT_CATALOG_DIR]));
    const formatted = await format(rendered, { ...(await resolveConfig(OUTPUT_FILE)), filepath: OUTPUT_FILE });
    expect(readFileSync(OUTPUT_FILE, 'utf8')).toBe(formatted);
  });

  it('name every type the server catalog knows, with its product area', () => {
    const server = Object.fromEntries(productAreas().flatMap((area) => area.eventTypes.map((def) => [def.type, area.product])));
    expect(EVENT_TYPE_PRODUCTS).toEqual(server);
  });

  it('map JSON Schema to TypeScript: objects, required, scalars, enums, arrays; anything else is JsonValue', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['a', 'tags'],
      properties: {
        a: { type: 'integer' },
        b: { type: 'boolean' },
        kind: { enum: ['x', 'y'] },
        tags: { type: 'array', items: { type: 'string' } },
        any: { oneOf: [{ type: 'string' }, { type: 'number' }] },
      },
    };
    expect(schemaToType(schema).replace(/\s+/g, ' ')).toBe(
      '{ a: number; b?: boolean; kind?: "x" | "y"; tags: Array<string>; any?: JsonValue; }',
    );
  });
});
