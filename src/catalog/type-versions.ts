import type { ErrorObject } from 'ajv';
import type { FieldChange, JsonValue } from '../events/audit-event.js';
import type { EventTypeDefinition, TypeVersion } from './event-catalog.js';

/**
 * The version of `def` an event follows: the one it names, else the newest. Undefined when it names a version
 * the type does not have: such an event is refused, never stored under a version it was not written for.
 */
export function typeVersionOf(def: EventTypeDefinition, requested: number | undefined): TypeVersion | undefined {
  if (requested === undefined) return def.versions.at(-1);
  return def.versions.find((v) => v.version === requested);
}

/** The fields of an event's metadata and changes that its type version's schemas refuse, as `[field, reason]`. */
export function eventShapeErrors(
  def: EventTypeDefinition,
  version: TypeVersion,
  event: { metadata?: Record<string, JsonValue> | undefined; changes?: FieldChange[] | undefined },
): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  for (const part of ['metadata', 'changes'] as const) {
    const validate = version[part];
    if (!validate) continue;
    // A type whose version describes its metadata requires it as that schema says: an absent value is
    // checked as an empty object (or list), so `required` members are reported by name.
    const value = event[part] ?? (part === 'metadata' ? {} : []);
    if (validate(value)) continue;
    for (const error of validate.errors ?? []) problems.push([fieldOf(part, error), reasonOf(def, version, error)]);
  }
  return problems;
}

function fieldOf(part: string, error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key}`))
    .join('');
  const missing = error.keyword === 'required' ? `.${(error.params as { missingProperty: string }).missingProperty}` : '';
  return `${part}${path}${missing}`;
}

function reasonOf(def: EventTypeDefinition, version: TypeVersion, error: ErrorObject): string {
  const what = error.keyword === 'required' ? 'is required' : (error.message ?? 'is not valid');
  return `${what} by ${def.type} version ${version.version}`;
}
