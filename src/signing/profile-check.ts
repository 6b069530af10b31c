import { type InnerList, serializeBareItem, serializeItem } from 'structured-headers'
import { IDAAS_COVERED_COMPONENTS, IDAAS_SIGNATURE_ALGORITHM } from './profile.js'

/**
 * How a `Signature-Input` member differs from the IDaaS signing profile. Entrust: "The algorithm
 * is fixed by the webhook profile and is sent in the Signature-Input header as
 * alg="hmac-sha256"", "Covered components: @method, @target-uri, content-digest".
 * - `missing-alg`: no `alg` parameter.
 * - `other-alg`: an `alg` other than `hmac-sha256`; `found` is its serialization.
 * - `missing-component`: one of the three components is not covered.
 * - `extra-component`: a component the profile does not cover (or covers once only, or only
 *   without parameters); `found` is its serialization.
 * - `component-order`: the three components in another order than Entrust lists them. The order
 *   is an assumption (A3): the verifier accepts any order.
 */
export type ProfileDifference =
  | { kind: 'missing-alg'; description: string }
  | { kind: 'other-alg'; found: string; description: string }
  | { kind: 'missing-component'; component: string; description: string }
  | { kind: 'extra-component'; found: string; description: string }
  | { kind: 'component-order'; found: string[]; description: string }

/**
 * Lists how a parsed `Signature-Input` member (an Inner List, e.g. `parseDictionary(value).get('sig')`)
 * differs from the IDaaS signing profile; empty when it matches. Linear in the member's size.
 */
export function profileDifferences(member: InnerList): ProfileDifference[] {
  const differences: ProfileDifference[] = []
  const alg = member[1].get('alg')
  if (alg === undefined) {
    differences.push({
      kind: 'missing-alg',
      description: `no "alg" parameter; the profile sends alg="${IDAAS_SIGNATURE_ALGORITHM}"`,
    })
  } else if (alg !== IDAAS_SIGNATURE_ALGORITHM) {
    const found = safeSerialize(() => serializeBareItem(alg))
    differences.push({
      kind: 'other-alg',
      found,
      description: `alg=${found}; the profile sends alg="${IDAAS_SIGNATURE_ALGORITHM}"`,
    })
  }
  const profile = new Set<string>(IDAAS_COVERED_COMPONENTS)
  const seen = new Set<string>()
  const order: string[] = []
  for (const item of member[0]) {
    const name = item[0]
    if (typeof name === 'string' && item[1].size === 0 && profile.has(name) && !seen.has(name)) {
      seen.add(name)
      order.push(name)
      continue
    }
    const found = safeSerialize(() => serializeItem(item))
    differences.push({
      kind: 'extra-component',
      found,
      description: `covers ${found}, which the profile does not cover`,
    })
  }
  for (const component of IDAAS_COVERED_COMPONENTS) {
    if (seen.has(component)) continue
    differences.push({
      kind: 'missing-component',
      component,
      description: `does not cover "${component}"`,
    })
  }
  if (order.length === IDAAS_COVERED_COMPONENTS.length) {
    const inOrder = order.every((name, i) => name === IDAAS_COVERED_COMPONENTS[i])
    if (!inOrder) {
      differences.push({
        kind: 'component-order',
        found: order,
        description: `covers ${order.map((name) => `"${name}"`).join(' ')}; Entrust lists "@method" "@target-uri" "content-digest" (the order is A3)`,
      })
    }
  }
  return differences
}

// A parsed member always serializes; this only guards a hand-built one.
function safeSerialize(serialize: () => string): string {
  try {
    return serialize()
  } catch {
    return '(unserializable value)'
  }
}
