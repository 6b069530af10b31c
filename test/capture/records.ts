import { writeFile } from 'node:fs/promises'
import { type CaptureRecord, encodeBody } from '../../src/capture/format.js'
import { signDelivery } from '../../src/testing.js'

/** Where the records below say they were captured. */
export const CAPTURED_URL = 'http://127.0.0.1:4012/webhooks/idaas'
/** The staging tenant's token the records below are signed with. */
export const CAPTURED_TOKEN = 'whsec_captured-tenant'
export const RECEIVED_AT = '2026-03-16T17:53:40.000Z'

/** A capture record as `capture` writes it, signed like IDaaS unless `headers` are given. */
export function captureRecord(
  body: string,
  seq = 1,
  headers: Record<string, string> = signDelivery({
    url: CAPTURED_URL,
    body,
    token: CAPTURED_TOKEN,
    created: Math.floor(Date.parse(RECEIVED_AT) / 1000) - 1,
  }),
): CaptureRecord {
  return {
    format: 'idaas-webhook-kit.capture',
    version: 1,
    seq,
    receivedAt: RECEIVED_AT,
    method: 'POST',
    url: CAPTURED_URL,
    httpVersion: '1.1',
    remoteAddress: '127.0.0.1',
    tls: null,
    headers: [['Host', '127.0.0.1:4012'], ...Object.entries(headers)],
    body: encodeBody(Buffer.from(body)),
    signature: { checked: false },
    response: { status: 204 },
  }
}

/** Writes records as a capture file (one JSON line each), plus `tail` verbatim. */
export async function writeCaptureFile(
  path: string,
  records: CaptureRecord[],
  tail = '',
): Promise<void> {
  await writeFile(path, `${records.map((r) => JSON.stringify(r)).join('\n')}\n${tail}`)
}
