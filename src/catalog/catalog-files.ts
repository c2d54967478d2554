import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogFileReader } from './catalog-file.js';
import { CatalogFileError } from './catalog-file.js';
import type { ProductAreaCatalog } from './event-catalog.js';

/** A product area and the file it came from. */
export interface ProductAreaSource {
  readonly file: string;
  readonly area: ProductAreaCatalog;
}

/** The product-area files of a folder: every `*.json` but JSON Schemas (`*.schema.json`), in name order. */
export function productAreaFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new CatalogFileError(dir, 1, 1, `cannot read the catalog folder: ${(error as Error).message}`);
  }
  return names
    .filter((name) => name.endsWith('.json') && !name.endsWith('.schema.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** Reads every product-area file of a folder; the first bad one throws a {@link CatalogFileError}. */
export function readProductAreaFolder(reader: CatalogFileReader, dir: string): ProductAreaSource[] {
  return productAreaFiles(dir).map((file) => ({ file, area: reader.read(file, readFileSync(file, 'utf8')) }));
}
