import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, hasStackTrace, tempDir } from '../cli/helpers.js'
import { TOKEN, URL } from './helpers.js'

// The kit worked example: the body is these 18 bytes, without a trailing newline.
const HELLO = '{"hello": "world"}'
const EXPECTED = [
  'Content-Type: application/json',
  'Content-Digest: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
  'Signature-Input: sig=("@method" "@target-uri" "content-digest");created=1773682385;alg="hmac-sha256"',
  'Signature: sig=:UF7WQQBH/47X0K3Ar2+MD4QwHgIBDrREtdeXX0f0rp4=:',
  '',
].join('\n')

async function bodyFile(content: string | Uint8Array, name = 'body.json') {
  const dir = await tempDir()
  await writeFile(join(dir, name), content)
  return dir
}

describe('idaas-webhook-kit sign', () => {
  it('prints the worked example headers for a body file, one "Name: value" per line', async () => {
    const cwd = await bodyFile(HELLO)
    const run = await cli(
      ['sign', '--url', URL, '--token', TOKEN, '--created', '1773682385', 'body.json'],
      { cwd },
    )
    expect(run).toEqual({ code: 0, stdout: EXPECTED, stderr: '', rawStdout: EXPECTED })
  })

  it('reads the token from IDAAS_WEBHOOK_TOKEN and the body from stdin', async () => {
    const env = { IDAAS_WEBHOOK_TOKEN: TOKEN }
    const piped = await cli(['sign', '--url', URL, '--created', '1773682385'], {
      stdin: HELLO,
      env,
    })
    expect(piped).toMatchObject({ code: 0, stdout: EXPECTED })
    const dash = await cli(['sign', '--url', URL, '--created', '1773682385', '-'], {
      stdin: [HELLO],
      env,
    })
    expect(dash).toMatchObject({ code: 0, stdout: EXPECTED })
  })

  it('signs the exact bytes: a trailing newline in the file changes the digest', async () => {
    const cwd = await bodyFile(`${HELLO}\n`)
    const run = await cli(
      ['sign', '--url', URL, '--token', TOKEN, '--created', '1773682385', 'body.json'],
      { cwd },
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      'Content-Digest: sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:',
    )
  })

  it('takes every profile option (A1–A3) and prints JSON with --json', async () => {
    const cwd = await bodyFile(HELLO)
    const run = await cli(
      [
        'sign',
        '--url',
        URL,
        '--token',
        TOKEN,
        '--key-encoding',
        'base64',
        '--digest',
        'sha-512',
        '--created',
        'none',
        '--expires',
        '1773682685',
        '--keyid',
        'wh_1',
        '--nonce',
        'n1',
        '--tag',
        'idaas',
        '--json',
        'body.json',
      ],
      { cwd },
    )
    expect(run.code).toBe(0)
    const headers = JSON.parse(run.stdout) as Record<string, string>
    expect(headers['Content-Digest']).toBe(
      'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    )
    expect(headers['Signature-Input']).toBe(
      'sig=("@method" "@target-uri" "content-digest");expires=1773682685;nonce="n1";alg="hmac-sha256";keyid="wh_1";tag="idaas"',
    )
  })

  it('uses the base64 key encoding of the worked example (A1)', async () => {
    const cwd = await bodyFile(HELLO)
    const run = await cli(
      [
        'sign',
        '--url',
        URL,
        '--token',
        TOKEN,
        '--created',
        '1773682385',
        '--key-encoding',
        'base64',
        'body.json',
      ],
      { cwd },
    )
    expect(run.stdout).toContain('Signature: sig=:yk68Ix2bru7EgzVr1bt3mFPb7i7eukTYkGTfjf81rsU=:\n')
  })

  it.each([
    [
      ['sign', '--token', TOKEN, 'body.json'],
      'Missing option "--url": the callback URL registered in IDaaS. Run "idaas-webhook-kit --help" for usage.',
    ],
    [
      ['sign', '--url', '/webhooks', '--token', TOKEN, 'body.json'],
      'Invalid option "--url": expected an absolute URL, got "/webhooks".',
    ],
    [
      ['sign', '--url', URL, 'body.json'],
      'Missing token: pass "--token <token>" or set IDAAS_WEBHOOK_TOKEN.',
    ],
    [
      ['sign', '--url', URL, '--token', TOKEN, '--digest', 'md5', 'body.json'],
      'Invalid option "--digest": expected "sha-256" or "sha-512", got "md5".',
    ],
    [
      ['sign', '--url', URL, '--token', TOKEN, '--created', 'yesterday', 'body.json'],
      'Invalid option "--created": expected whole Unix seconds, got "yesterday".',
    ],
    [
      ['sign', '--url', URL, '--token', TOKEN, 'missing.json'],
      'Failed to read "missing.json": no such file.',
    ],
    [
      ['sign', '--url', URL, '--token', 'whsec_', '--key-encoding', 'base64', 'body.json'],
      'Failed to sign delivery: option "token" decodes to no bytes with option "keyEncoding" "base64". Is the token base64?',
    ],
  ])('exits 2 with one message for %j', async (argv, message) => {
    const cwd = await bodyFile(HELLO)
    const run = await cli(argv, { cwd })
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `[idaas-webhook-kit] ${message}\n` })
    expect(hasStackTrace(run.stderr)).toBe(false)
    expect(run.stderr).not.toContain(TOKEN)
  })

  it('exits 2 when there is no file and stdin is a terminal', async () => {
    const run = await cli(['sign', '--url', URL, '--token', TOKEN], { stdinIsTTY: true })
    expect(run).toMatchObject({
      code: 2,
      stderr:
        '[idaas-webhook-kit] Missing body: give a file, or pipe it to stdin. Run "idaas-webhook-kit --help" for examples.\n',
    })
  })

  it('is listed in the help with its options', async () => {
    const run = await cli(['sign', '--help'])
    expect(run.code).toBe(0)
    for (const flag of [
      '--url <url>',
      '--token <token>',
      '--key-encoding <encoding>',
      '--digest <algorithm>',
      '--created <seconds>',
    ]) {
      expect(run.stdout).toContain(flag)
    }
  })
})
