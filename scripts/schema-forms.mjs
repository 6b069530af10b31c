// The two forms of every schema in schemas/: strict (the x-idaas-strict parts merged in) and
// tolerant (those parts and unevaluatedProperties removed). scripts/generate.mjs compiles both
// into generated/; tests feed the same forms to a second JSON Schema implementation.

// Where a field's rule comes from: Entrust's field table, its published example, an assumption
// (A1-A17) or the kit's inference. An annotation only; every generated output ignores it.
export const EVIDENCE = 'x-idaas-evidence'
// What strict mode adds to a schema (required fields, "Always ..." constants, the field types of a
// type whose payload Entrust never published). Strict and the types merge it in; tolerant drops it.
export const STRICT_ONLY = 'x-idaas-strict'
/** True when Entrust published a payload example for the event definition `def`. */
export const hasPublishedExample = (def) => Array.isArray(def.examples) && def.examples.length > 0

/** `def` with its `data` open: unknown data fields of a type without a published payload are notes. */
export function withOpenData(def) {
  const { unevaluatedProperties: _closed, ...data } = def.properties.data
  return { ...def, properties: { ...def.properties, data } }
}

// Keywords whose value maps names to subschemas: a key there is a property or definition name,
// never a keyword, so a property called "examples" is kept.
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas'])
// Keywords whose value is instance data, not a schema: copied as they are.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default'])

/** `schema` without the keywords in `drop`, at any depth; names and instance data are kept. */
function withoutKeywords(schema, drop) {
  if (Array.isArray(schema)) return schema.map((item) => withoutKeywords(item, drop))
  if (schema === null || typeof schema !== 'object') return schema
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => !drop.has(key))
      .map(([key, child]) => [
        key,
        DATA_KEYWORDS.has(key)
          ? child
          : NAME_MAPS.has(key) && child !== null && typeof child === 'object'
            ? Object.fromEntries(
                Object.entries(child).map(([name, sub]) => [name, withoutKeywords(sub, drop)]),
              )
            : withoutKeywords(child, drop),
      ]),
  )
}

/** `schema` with every `x-idaas-strict` part merged into its node as one more `allOf` member. */
function withStrictParts(schema) {
  if (Array.isArray(schema)) return schema.map(withStrictParts)
  if (schema === null || typeof schema !== 'object') return schema
  const out = {}
  for (const [key, child] of Object.entries(schema)) {
    if (key === STRICT_ONLY) continue
    out[key] = DATA_KEYWORDS.has(key)
      ? child
      : NAME_MAPS.has(key) && child !== null && typeof child === 'object'
        ? Object.fromEntries(Object.entries(child).map(([n, sub]) => [n, withStrictParts(sub)]))
        : withStrictParts(child)
  }
  if (schema[STRICT_ONLY]) out.allOf = [...(out.allOf ?? []), withStrictParts(schema[STRICT_ONLY])]
  return out
}

/** Strict mode: the strict parts merged in; annotations that ajv need not see go. */
export const strictSchema = (schema) =>
  withoutKeywords(withStrictParts(schema), new Set(['examples', EVIDENCE]))

/** Tolerant mode: the strict parts go, and unknown fields pass, so `unevaluatedProperties` goes too. */
export const tolerantSchema = (schema) =>
  withoutKeywords(schema, new Set(['examples', EVIDENCE, STRICT_ONLY, 'unevaluatedProperties']))
