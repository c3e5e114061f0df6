/**
 * Validating `alert.upsert` data at snapshot speed, with exactly AlertSchema's rules.
 *
 * zod walks its schema for every value it parses; for a 100k-alert snapshot that is the largest cost of
 * the applier after the writes themselves (about 1.5 µs per alert, most of it in the two label maps).
 * Here AlertSchema is compiled once, through its JSON Schema, into plain checks. The compiler knows only
 * the handful of constructs AlertSchema uses (strings with lengths, enums and patterns, finite numbers,
 * integers with bounds, booleans, nullables, optional fields, string arrays, string-to-string maps); should the schema ever use anything else, there is no fast path and
 * AlertSchema parses everything. Anything the checks do not pass — including the odd shapes zod treats
 * specially, such as a `__proto__` key — goes through AlertSchema itself, which returns its own result or
 * throws its usual error. The checks are at most as lenient as zod; the property test in
 * test/unit/alerts/validate.test.ts holds both to the same verdicts and the same stored JSON.
 */
import { z } from 'zod';
import { AlertSchema, type Alert } from '@shared/alerts';

type Check = (v: unknown) => boolean;
type Node = Record<string, unknown>;

const only = (node: Node, keys: string[]) => Object.keys(node).every((k) => keys.includes(k));

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(v).length === 0;
}

function isStringMap(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const k of Object.keys(v)) if (typeof v[k] !== 'string' || k === '__proto__') return false;
  return true;
}

/** a check for one JSON Schema node, or null for anything this compiler does not know */
function compile(node: Node): Check | null {
  const type = node.type;
  if (Array.isArray(type)) {
    if (type.length !== 2 || type[1] !== 'null' || !only(node, ['type'])) return null;
    const inner = compile({ type: type[0] });
    return inner && ((v) => v === null || inner(v));
  }
  switch (type) {
    case 'string': {
      if (!only(node, ['type', 'minLength', 'maxLength', 'enum', 'pattern'])) return null;
      const min = (node.minLength as number | undefined) ?? 0;
      const max = (node.maxLength as number | undefined) ?? Infinity;
      const values = node.enum as unknown[] | undefined;
      // zod's .regex() tests with the same JavaScript RegExp
      const pattern = typeof node.pattern === 'string' ? new RegExp(node.pattern) : null;
      return (v) => typeof v === 'string' && v.length >= min && v.length <= max && (!values || values.includes(v)) && (!pattern || pattern.test(v));
    }
    case 'number':
      // zod 4 numbers are finite
      return only(node, ['type']) ? (v) => typeof v === 'number' && Number.isFinite(v) : null;
    case 'integer': {
      if (!only(node, ['type', 'minimum', 'maximum'])) return null;
      const min = (node.minimum as number | undefined) ?? Number.MIN_SAFE_INTEGER;
      const max = (node.maximum as number | undefined) ?? Number.MAX_SAFE_INTEGER;
      return (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
    }
    case 'boolean':
      return only(node, ['type']) ? (v) => typeof v === 'boolean' : null;
    case 'array': {
      if (!only(node, ['type', 'items'])) return null;
      const item = compile(node.items as Node);
      return item && ((v) => Array.isArray(v) && v.every(item));
    }
    case 'object': {
      const names = node.propertyNames as Node | undefined;
      const values = node.additionalProperties as Node | undefined;
      const isMap = only(node, ['type', 'propertyNames', 'additionalProperties']) && names?.type === 'string' && only(names, ['type']);
      return isMap && values?.type === 'string' && only(values, ['type']) ? isStringMap : null;
    }
    default:
      return null;
  }
}

/** (value) → the alert as AlertSchema would return it, or null: let AlertSchema decide */
function compileAlert(): ((v: unknown) => Alert | null) | null {
  const root = z.toJSONSchema(AlertSchema) as Node;
  if (root.type !== 'object' || !only(root, ['$schema', 'type', 'properties', 'required', 'additionalProperties'])) return null;
  const required = new Set(root.required as string[]);
  const fields = Object.entries(root.properties as Record<string, Node>).map(([key, node]) => ({ key, check: compile(node), optional: !required.has(key) }));
  if (fields.some((f) => !f.check) || [...required].some((k) => !fields.some((f) => f.key === k))) return null;
  return (v) => {
    if (!isPlainObject(v)) return null;
    // zod's output: the schema's keys, in its order, unknown ones dropped, absent optional ones left out
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const x = v[f.key];
      if (x === undefined && f.optional) continue;
      if (!f.check!(x)) return null;
      out[f.key] = x;
    }
    return out as Alert;
  };
}

const fast = compileAlert();

/** AlertSchema.parse(data), faster for the common case; throws AlertSchema's ZodError on bad data. */
export function parseAlert(data: unknown): Alert {
  return fast?.(data) ?? AlertSchema.parse(data);
}

/** whether the fast path is in use (it is off should AlertSchema use a construct it does not know) */
export const fastAlertParsing = fast !== null;
