import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deliver } from '../../src/delivery/engine.js'
import { isKitError } from '../../src/index.js'
import { ENTRUST_EXAMPLES } from '../../src/testing.js'
import { verifyReceiver } from '../../src/verify/run-contract.js'
import { captureRecord, writeCaptureFile } from '../capture/records.js'
import { cli, tempDir } from '../cli/helpers.js'

/** User-info forms: user and password, user alone, password alone, percent-encoded, non-ASCII. */
// The u_ and p_ prefixes keep a generated secret from matching other text of the message.
const userInfos = fc
  .tuple(
    fc.option(fc.stringMatching(/^[A-Za-z0-9._~%-]{2,12}$/), { nil: undefined }),
    fc.option(fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=%-]{2,16}$/), { nil: undefined }),
  )
  .filter(([user, pass]) => user !== undefined || pass !== undefined)
  .map(([u, p]) => {
    const user = u === undefined ? '' : `u_${u}`
    const pass = p === undefined ? undefined : `p_${p}`
    return { user, pass, info: pass === undefined ? user : `${user}:${pass}` }
  })
  .filter(({ info }) => URL.canParse(`http://${info}@127.0.0.1:9/hook`))

const MESSAGE = 'credentials in URLs are not supported, because IDaaS signs the URL'

/** Every place the CLI takes a signed or delivery URL, with `URL` standing for it. */
const PLACES: { name: string; argv: (url: string) => string[]; flag: string }[] = [
  {
    name: 'send <url>',
    argv: (u) => ['send', u, 'user.created', '--token', 'whsec_c'],
    flag: 'Invalid argument "<url>"',
  },
  {
    name: 'send --public-url',
    argv: (u) => [
      'send',
      'http://127.0.0.1:9/h',
      'user.created',
      '--token',
      'whsec_c',
      '--public-url',
      u,
    ],
    flag: 'Invalid option "--public-url"',
  },
  {
    name: 'verify <url>',
    argv: (u) => ['verify', u, '--token', 'whsec_c'],
    flag: 'Invalid argument "<url>"',
  },
  {
    name: 'verify --public-url',
    argv: (u) => ['verify', 'http://127.0.0.1:9/h', '--token', 'whsec_c', '--public-url', u],
    flag: 'Invalid option "--public-url"',
  },
  {
    name: 'replay --to',
    argv: (u) => ['replay', 'd.jsonl', '--to', u, '--token', 'whsec_c'],
    flag: 'Invalid option "--to"',
  },
  {
    name: 'proxy --to',
    argv: (u) => ['proxy', '--to', u, '--port', '0'],
    flag: 'Invalid option "--to"',
  },
  {
    name: 'sign --url',
    argv: (u) => ['sign', '--url', u, '--token', 'whsec_c'],
    flag: 'Invalid option "--url"',
  },
  {
    name: 'check --public-url',
    argv: (u) => ['check', 'd.jsonl', '--public-url', u],
    flag: 'Invalid option "--public-url"',
  },
]

describe('URLs with credentials', () => {
  it.each(PLACES)(
    '$name: a URL with user-info is a usage error that never echoes it',
    async ({ argv, flag }) => {
      const dir = await tempDir()
      await writeCaptureFile(join(dir, 'd.jsonl'), [
        captureRecord(JSON.stringify(ENTRUST_EXAMPLES['user.created']), 1),
      ])
      await writeFile(join(dir, 'body.json'), '{}')
      await fc.assert(
        fc.asyncProperty(userInfos, async ({ user, pass, info }) => {
          const run = await cli(argv(`http://${info}@127.0.0.1:9/hook?q=1`), {
            cwd: dir,
            stdin: '{}',
          })
          expect(run.code).toBe(2)
          expect(run.stderr).toBe(
            `[idaas-webhook-kit] ${flag}: ${MESSAGE}; got "http://[redacted]@127.0.0.1:9/hook".\n`,
          )
          for (const secret of [user, pass]) {
            if (secret !== undefined && secret !== '') {
              expect(run.stdout + run.stderr).not.toContain(secret)
            }
          }
        }),
        { numRuns: 15 },
      )
    },
  )

  it('verifyReceiver rejects a target URL with credentials with a KitError, never echoing them', async () => {
    const error = await verifyReceiver(
      { url: 'https://alice:s3cr3t-pass@127.0.0.1:9/hook' },
      { token: 'whsec_c' },
    ).catch((e: unknown) => e)
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toBe(
      `[idaas-webhook-kit] Failed to verify: option "url": ${MESSAGE}; got "https://[redacted]@127.0.0.1:9/hook".`,
    )
    expect((error as Error).message).not.toContain('s3cr3t')
  })

  it('deliver rejects a target URL with credentials with a KitError, never echoing them', async () => {
    const event = ENTRUST_EXAMPLES['user.created']
    const error = await deliver(event, {
      url: 'http://bob:pa55word@127.0.0.1:9/hook',
      token: 'whsec_c',
    }).catch((e: unknown) => e)
    expect(isKitError(error)).toBe(true)
    expect((error as Error).message).toBe(
      `[idaas-webhook-kit] Failed to deliver "user.created": "target.url": ${MESSAGE}; got "http://[redacted]@127.0.0.1:9/hook".`,
    )
    expect((error as Error).message).not.toMatch(/bob|pa55word/)
  })

  it('a non-http URL with credentials is refused without echoing them either', async () => {
    const run = await cli(['verify', 'ftp://carol:hunter22@h/x', '--token', 'whsec_c'])
    expect(run.code).toBe(2)
    expect(run.stderr).not.toMatch(/carol|hunter22/)
  })
})
