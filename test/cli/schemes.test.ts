import { createHmac } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, tempDir } from './helpers.js'

const TOKEN = 'whsec_cli-schemes-0123456789abcdef'
const URL = 'https://receiver.example.com/webhooks/idaas'
const BODY =
  '{"id":"1","type":"user.created","accountId":"a","eventTime":"2026-03-16T17:33:05Z","data":{}}'
const hex = createHmac('sha256', TOKEN).update(BODY).digest('hex')
const env = { IDAAS_WEBHOOK_TOKEN: TOKEN }

describe('--schemes on the signing and verifying commands (A17)', () => {
  it('sign --schemes x-sha2 prints only x-sha2-signature beside Content-Type', async () => {
    const run = await cli(['sign', '--url', URL, '--schemes', 'x-sha2', '-'], { stdin: BODY, env })
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toBe(`Content-Type: application/json\nx-sha2-signature: ${hex}\n`)
  })

  it('sign --schemes rfc9421,x-sha2 --json prints every header of both schemes', async () => {
    const run = await cli(['sign', '--url', URL, '--schemes', 'rfc9421,x-sha2', '--json', '-'], {
      stdin: BODY,
      env,
    })
    expect(run.code).toBe(0)
    expect(Object.keys(JSON.parse(run.stdout))).toEqual([
      'Content-Type',
      'Content-Digest',
      'Signature-Input',
      'Signature',
      'x-sha2-signature',
    ])
  })

  it.each([
    [
      'sha2',
      'Invalid option "--schemes": unknown scheme "sha2". Known schemes: "rfc9421", "x-sha2".',
    ],
    [
      ',',
      'Invalid option "--schemes": expected a comma-separated list of "rfc9421", "x-sha2", got ",".',
    ],
    ['x-sha2,x-sha2', 'Invalid option "--schemes": scheme "x-sha2" is listed twice.'],
  ])('rejects --schemes "%s" as a usage error naming --schemes', async (value, message) => {
    for (const command of [
      ['sign', '--url', URL, '-'],
      ['verify-signature', '--url', URL, '--headers', 'h.txt', '-'],
      ['verify', 'http://127.0.0.1:9/h'],
      ['send', 'http://127.0.0.1:9/h', 'user.created'],
    ]) {
      const run = await cli([...command, '--schemes', value], { stdin: BODY, env })
      expect(run.code, command[0]).toBe(2)
      expect(run.stderr, command[0]).toBe(`[idaas-webhook-kit] ${message}\n`)
    }
  })

  it('verify-signature rejects an older-only delivery by default with the option that accepts it, and accepts it with --schemes', async () => {
    const dir = await tempDir()
    const headers = join(dir, 'headers.txt')
    await writeFile(headers, `Content-Type: application/json\nx-sha2-signature: ${hex}\n`)
    const rejected = await cli(['verify-signature', '--url', URL, '--headers', headers, '-'], {
      stdin: BODY,
      env,
    })
    expect(rejected.code).toBe(1)
    expect(rejected.stdout).toContain(
      "Signature invalid (scheme-not-accepted): [idaas-webhook-kit] Failed to verify signature: the request carries only the older \"x-sha2-signature\" header, no RFC 9421 signature; pass schemes: ['rfc9421', 'x-sha2'] to accept it (A17).",
    )
    const accepted = await cli(
      [
        'verify-signature',
        '--url',
        URL,
        '--headers',
        headers,
        '--schemes',
        'rfc9421,x-sha2',
        '--json',
        '-',
      ],
      { stdin: BODY, env },
    )
    expect(accepted.code).toBe(0)
    expect(JSON.parse(accepted.stdout)).toMatchObject({
      ok: true,
      schemes: ['x-sha2'],
      unchecked: ['freshness', '@method', '@target-uri'],
    })
    expect(accepted.stdout).not.toContain(hex)
  })
})
