import type { JsonDocument } from '../../artifacts/json-document.js'

export { at } from '../../artifacts/json-document.js'

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A top-level field of an object document. */
export function field(doc: JsonDocument, key: string): unknown {
  return isObject(doc.value) ? doc.value[key] : undefined
}

export function hasField(doc: JsonDocument, key: string): boolean {
  return isObject(doc.value) && Object.prototype.hasOwnProperty.call(doc.value, key)
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}
