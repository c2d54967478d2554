import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { JsonValue } from '../events/audit-event.js';
import type { ActionType, EventTypeDefinition, ProductAreaCatalog, TypeVersion } from './event-catalog.js';

/**
 * A product-area file that cannot be loaded: which file, where in it and why. The service refuses to start
 * with one, because a catalog that silently lost a product area would reject (or worse, mislabel) its events.
 */
export class CatalogFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}`);
    this.name = 'CatalogFileError';
  }
}

/** A product-area file as the JSON Schema of `catalog/product-area.schema.json` describes it. */
interface ProductAreaFile {
  product: string;
  displayName: string;
  typePrefixes: string[];
  eventTypes: Array<{
    type: string;
    activity: string;
    action: ActionType;
    securityAction: boolean;
    entityType: string;
    descriptionTemplate: string;
    versions?: Array<{
      version: number;
      note?: string;
      metadata?: Record<string, JsonValue>;
      changes?: Record<string, JsonValue>;
      exampleMetadata?: Record<string, JsonValue>;
    }>;
  }>;
}

/** Compiles the file schema once and the schemas that files carry for metadata and changes. */
export class CatalogFileReader {
  // One Ajv for the file schema, strict so a typo in it is found at once; the schemas inside files are
  // compiled by a second one, strict too, so "requried" in a producer's schema stops the start instead of
  // silently allowing everything.
  private readonly fileAjv = new Ajv({ allErrors: true, strict: true });
  private readonly eventAjv = new Ajv({ allErrors: true, strict: true });
  private readonly validateFile: ValidateFunction<ProductAreaFile>;

  constructor(fileSchema: object) {
    this.validateFile = this.fileAjv.compile<ProductAreaFile>(fileSchema);
  }

  /** The product area that `text`, the content of `file`, defines; throws a {@link CatalogFileError}. */
  read(file: string, text: string): ProductAreaCatalog {
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    const at = (offset: number, problem: string) => {
      const { line, column } = lineAndColumn(text, offset);
      return new CatalogFileError(file, line, column, problem);
    };
    const firstError = errors[0];
    if (firstError !== undefined) throw at(firstError.offset, `not valid JSON: ${describeParseError(firstError)}`);
    if (tree === undefined) throw at(0, 'the file is empty');
    const data: unknown = JSON.parse(text);
    if (!this.validateFile(data)) {
      const error = mostSpecific(this.validateFile.errors ?? []);
      throw at(offsetOf(tree, error.instancePath), schemaProblem(error));
    }
    const nodeAt = (path: Array<string | number>) => findNodeAtLocation(tree, path)?.offset ?? 0;
    const seen = new Set<string>();
    const eventTypes = data.eventTypes.map((def, index): EventTypeDefinition => {
      if (!data.typePrefixes.some((prefix) => def.type.startsWith(prefix))) {
        throw at(
          nodeAt(['eventTypes', index, 'type']),
          `event type "${def.type}" does not start with a prefix of this product area (${data.typePrefixes.join(', ')})`,
        );
      }
      if (seen.has(def.type)) throw at(nodeAt(['eventTypes', index, 'type']), `event type "${def.type}" is defined twice`);
      seen.add(def.type);
      const versions = (def.versions ?? [{ version: 1 }]).map((entry, v): TypeVersion => {
        if (entry.version !== v + 1) {
          throw at(
            nodeAt(['eventTypes', index, 'versions', v, 'version']),
            `versions must be numbered 1, 2, 3 … in order; expected ${v + 1}`,
          );
        }
        const version: TypeVersion = { version: entry.version };
        for (const part of ['metadata', 'changes'] as const) {
          const schema = entry[part];
          if (schema === undefined) continue;
          try {
            version[part] = this.eventAjv.compile(schema);
          } catch (error) {
            throw at(
              nodeAt(['eventTypes', index, 'versions', v, part]),
              `the ${part} schema of ${def.type} version ${v + 1} does not compile: ${(error as Error).message}`,
            );
          }
        }
        if (entry.exampleMetadata !== undefined) {
          if (version.metadata && !version.metadata(entry.exampleMetadata)) {
            throw at(
              nodeAt(['eventTypes', index, 'versions', v, 'exampleMetadata']),
              `the example metadata of ${def.type} version ${v + 1} does not meet its own schema: ${this.eventAjv.errorsText(version.metadata.errors)}`,
            );
          }
          version.exampleMetadata = entry.exampleMetadata;
        }
        return version;
      });
      return {
        type: def.type,
        product: data.product,
        activity: def.activity,
        action: def.action,
        securityAction: def.securityAction,
        entityType: def.entityType,
        descriptionTemplate: def.descriptionTemplate,
        versions,
      };
    });
    return { product: data.product, displayName: data.displayName, typePrefixes: data.typePrefixes, eventTypes };
  }
}

/** An error at the value at `path` in a file's text (its start when the path is not there). */
export function catalogErrorAt(file: string, text: string, path: Array<string | number>, problem: string): CatalogFileError {
  const tree = parseTree(text);
  const offset = tree ? (findNodeAtLocation(tree, path)?.offset ?? 0) : 0;
  const { line, column } = lineAndColumn(text, offset);
  return new CatalogFileError(file, line, column, problem);
}

/** 1-based line and column of an offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

function describeParseError(error: ParseError): string {
  const words = printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words;
}

/** The offset of the value at a JSON Pointer (Ajv's instancePath), or of the nearest ancestor that exists. */
function offsetOf(tree: Node, pointer: string): number {
  const path = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  for (let length = path.length; length >= 0; length--) {
    const node = findNodeAtLocation(tree, path.slice(0, length));
    if (node) return node.offset;
  }
  return 0;
}

/** The error that says most: the deepest path, and among those not the generic "must match a schema in …". */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  const sorted = [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length);
  const first = sorted[0];
  if (first === undefined) throw new Error('the catalog file schema rejected a file without saying why');
  return first;
}

function schemaProblem(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the file' : error.instancePath.slice(1).replaceAll('/', '.');
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return `${where} must be one of ${allowed}`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${where} has an unknown member "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (error.keyword === 'required') {
    return `${where} is missing "${(error.params as { missingProperty: string }).missingProperty}"`;
  }
  return `${where} ${error.message ?? 'is not valid'}`;
}
