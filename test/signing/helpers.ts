import { createSignedDelivery } from '../../src/signing/signed-delivery.js'

/** The kit worked example's token (the OpenAPI example token), URL and time. */
export const TOKEN = 'whsec_3f8a9b2c1d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6'
export const URL = 'https://receiver.example.com/webhooks/idaas'
export const CREATED = 1773682385
/** A clock frozen at {@link CREATED}, in milliseconds. */
export const NOW = () => CREATED * 1000

/** A compact JSON event body (Entrust's password.updated example). */
export const EVENT_BODY = JSON.stringify({
  id: '019cf7b5-61c1-7017-bc39-9309c400e1f3',
  type: 'password.updated',
  accountId: 'fba02d5c-2f79-4cfd-91f5-6bd454e97ab3',
  eventTime: '2026-03-16T17:33:05Z',
  data: {
    subject: '7a578db7-e8c8-421c-b5aa-2975f1418932',
    subjectName: 'john',
    subjectType: 'USER',
    resourceName: 'User Portal',
    sourceIp: '104.30.161.19',
    entityType: 'USERPASSWORDS',
    entityId: '7a578db7-e8c8-421c-b5aa-2975f1418932',
    entityName: 'john',
  },
})

/** A delivery of {@link EVENT_BODY} signed at {@link CREATED} with {@link TOKEN}. */
export function signedEvent(
  overrides: Partial<Parameters<typeof createSignedDelivery>[0]> = {},
): ReturnType<typeof createSignedDelivery> {
  return createSignedDelivery({
    url: URL,
    body: EVENT_BODY,
    token: TOKEN,
    created: CREATED,
    ...overrides,
  })
}

/** Every base64 signature value in a set of headers, for "never in a message" assertions. */
export function signatureValues(headers: Record<string, string>): string[] {
  const values: string[] = []
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'signature') continue
    for (const match of value.matchAll(/:([A-Za-z0-9+/=]+):/g)) if (match[1]) values.push(match[1])
  }
  return values
}
