import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, hasStackTrace, tempDir } from '../cli/helpers.js'
import { CREATED, EVENT_BODY, signatureValues, signedEvent, TOKEN, URL } from './helpers.js'

const delivery = signedEvent()
const headerLines = Object.entries(delivery.headers)
  .map(([name, value]) => `${name}: ${value}`)
  .join('\r\n')

async function capture(files: Record<string, string>) {
  const dir = await tempDir()
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content)
  return dir
}

const NOW = String(CREATED + 10)
const verifyArgs = (...extra: string[]) => [
  'verify-signature',
  '--url',
  URL,
  '--token',
  TOKEN,
  ...extra,
]

describe('idaas-webhook-kit verify-signature', () => {
  it('exits 0 for a captured raw request (request line and "Name: value" lines)', async () => {
    const cwd = await capture({
      'headers.txt': `POST /webhooks/idaas HTTP/1.1\r\nHost: receiver.example.com\r\n${headerLines}\r\n\r\n`,
      'body.json': EVENT_BODY,
    })
    const run = await cli(verifyArgs('--headers', 'headers.txt', '--now', NOW, 'body.json'), {
      cwd,
    })
    expect(run).toMatchObject({
      code: 0,
      stderr: '',
      stdout:
        '✔ Signature valid (label "sig", created 2026-03-16T17:33:05.000Z) for "password.updated" event "019cf7b5-61c1-7017-bc39-9309c400e1f3".\n',
    })
  })

  it('reads a whole raw request as the headers file, stopping at the blank line before its body', async () => {
    const body = JSON.stringify(JSON.parse(EVENT_BODY), null, 2)
    const pretty = signedEvent({ body })
    const lines = Object.entries(pretty.headers).map(([name, value]) => `${name}: ${value}`)
    const cwd = await capture({
      'request.txt': `POST /webhooks/idaas HTTP/1.1\r\nHost: receiver.example.com\r\n${lines.join('\r\n')}\r\n\r\n${body}`,
      'body.json': body,
    })
    const run = await cli(verifyArgs('--headers', 'request.txt', '--now', NOW, 'body.json'), {
      cwd,
    })
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toMatch(/^✔ Signature valid /)
  })

  it('accepts headers as JSON and the body on stdin, and prints JSON with --json', async () => {
    const cwd = await capture({ 'headers.json': JSON.stringify(delivery.headers) })
    const run = await cli(verifyArgs('--headers', 'headers.json', '--now', NOW, '--json', '-'), {
      cwd,
      stdin: EVENT_BODY,
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      schemes: ['rfc9421'],
      signature: { label: 'sig', created: CREATED },
      event: { type: 'password.updated', id: '019cf7b5-61c1-7017-bc39-9309c400e1f3' },
    })
  })

  it('verifies what "sign" printed', async () => {
    const cwd = await capture({ 'body.json': EVENT_BODY })
    const signed = await cli(['sign', '--url', URL, '--token', TOKEN, 'body.json'], { cwd })
    await writeFile(join(cwd, 'headers.txt'), signed.stdout)
    const run = await cli(verifyArgs('--headers', 'headers.txt', 'body.json'), { cwd })
    expect(run.code).toBe(0)
  })

  it('exits 1 for a changed body, with the reason and no token or signature in the output', async () => {
    const cwd = await capture({ 'headers.txt': headerLines, 'body.json': `${EVENT_BODY}\n` })
    const run = await cli(verifyArgs('--headers', 'headers.txt', '--now', NOW, 'body.json'), {
      cwd,
    })
    expect(run).toMatchObject({
      code: 1,
      stderr: '',
      stdout:
        '✖ Signature invalid (digest-mismatch): [idaas-webhook-kit] Failed to verify signature: Content-Digest (sha-256) does not match the body. Was the JSON parsed and re-serialized?\n',
    })
    for (const secret of [TOKEN, ...signatureValues(delivery.headers)])
      expect(run.stdout).not.toContain(secret)
  })

  it('exits 1 for the wrong token or URL', async () => {
    const cwd = await capture({ 'headers.txt': headerLines, 'body.json': EVENT_BODY })
    const wrongToken = await cli(
      [
        'verify-signature',
        '--url',
        URL,
        '--token',
        'whsec_other',
        '--headers',
        'headers.txt',
        '--now',
        NOW,
        'body.json',
      ],
      { cwd },
    )
    expect(wrongToken.code).toBe(1)
    expect(wrongToken.stdout).toContain('(signature-mismatch)')
    const wrongUrl = await cli(
      [
        'verify-signature',
        '--url',
        `${URL}/x`,
        '--token',
        TOKEN,
        '--headers',
        'headers.txt',
        '--now',
        NOW,
        'body.json',
      ],
      { cwd },
    )
    expect(wrongUrl.code).toBe(1)
  })

  it('checks created against the real clock by default, with other windows, or none (A4)', async () => {
    const cwd = await capture({ 'headers.txt': headerLines, 'body.json': EVENT_BODY })
    const expired = await cli(verifyArgs('--headers', 'headers.txt', 'body.json'), { cwd })
    expect(expired.code).toBe(1)
    expect(expired.stdout).toContain('(expired)')
    const off = await cli(verifyArgs('--headers', 'headers.txt', '--max-age', 'off', 'body.json'), {
      cwd,
    })
    expect(off.code).toBe(0)
    const tight = await cli(
      verifyArgs('--headers', 'headers.txt', '--now', NOW, '--max-age', '5', 'body.json'),
      { cwd },
    )
    expect(tight.stdout).toContain('the limit is 5 s (option "maxAgeSeconds")')
    const early = String(CREATED - 100)
    const future = await cli(
      verifyArgs('--headers', 'headers.txt', '--now', early, '--max-skew', 'off', 'body.json'),
      { cwd },
    )
    expect(future.code).toBe(0)
  })

  it('reads the token from IDAAS_WEBHOOK_TOKEN', async () => {
    const cwd = await capture({ 'headers.txt': headerLines, 'body.json': EVENT_BODY })
    const run = await cli(
      ['verify-signature', '--url', URL, '--headers', 'headers.txt', '--now', NOW, 'body.json'],
      {
        cwd,
        env: { IDAAS_WEBHOOK_TOKEN: TOKEN },
      },
    )
    expect(run.code).toBe(0)
  })

  it.each([
    [
      verifyArgs('body.json'),
      'Missing option "--headers": a file with the captured request headers. Run "idaas-webhook-kit verify-signature --help" for usage.',
    ],
    [verifyArgs('--headers', 'nope.txt', 'body.json'), 'Failed to read "nope.txt": no such file.'],
    [
      verifyArgs('--headers', 'bad.txt', 'body.json'),
      'Failed to read "bad.txt": line 2 is not "Name: value".',
    ],
    [
      verifyArgs('--headers', 'bad.json', 'body.json'),
      'Failed to read "bad.json": it starts with "{" but is not valid JSON.',
    ],
    [
      verifyArgs('--headers', 'headers.txt', '--now', 'soon', 'body.json'),
      'Invalid option "--now": expected whole Unix seconds, got "soon".',
    ],
    [
      verifyArgs('--headers', 'headers.txt', '--max-age', 'never', 'body.json'),
      'Invalid option "--max-age": expected whole Unix seconds, got "never".',
    ],
    [
      [
        'verify-signature',
        '--url',
        'receiver',
        '--token',
        TOKEN,
        '--headers',
        'headers.txt',
        'body.json',
      ],
      'Invalid option "--url": expected an absolute URL, got "receiver".',
    ],
    [
      ['verify-signature', '--url', URL, '--headers', 'headers.txt', 'body.json'],
      'Missing token: pass "--token <token>" or set IDAAS_WEBHOOK_TOKEN.',
    ],
  ])('exits 2 with one message for %j', async (argv, message) => {
    const cwd = await capture({
      'headers.txt': headerLines,
      'bad.txt': 'Signature: x\nnot a header\n',
      'bad.json': '{"Signature": ',
      'body.json': EVENT_BODY,
    })
    const run = await cli(argv, { cwd })
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `[idaas-webhook-kit] ${message}\n` })
    expect(hasStackTrace(run.stderr)).toBe(false)
  })
})
