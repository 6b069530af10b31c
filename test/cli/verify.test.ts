import { constants, existsSync, type PathLike } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import type { RequestListener } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it, vi } from 'vitest'
import { createApp as createReserializingApp } from '../../examples/broken/reserializing.mjs'
import { createSelfSignedCertificate } from '../../src/capture/certificate.js'
import { runCLI } from '../../src/cli/index.js'
import { createIdaasNodeHandler } from '../../src/index.js'
import { VERIFY_CHECK_IDS } from '../../src/testing.js'
import { cleanEnv, runProcess } from '../e2e/run.js'
import { parseXml } from '../reporters/xml.js'
import { listen } from '../support/listen.js'
import { cli, tempDir } from './helpers.js'

const TOKEN = 'whsec_cli-verify-token-abcdefghijklmnop'
const root = fileURLToPath(new URL('../../', import.meta.url))

// A directory nobody may write to. A real one cannot be made here: root (as in many CI
// containers) passes every permission check, so `access` refuses writing to this name only.
const READ_ONLY_DIR = 'read-only-dir'
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...actual,
    access: async (path: PathLike, mode?: number) => {
      if (String(path).endsWith(READ_ONLY_DIR) && mode !== undefined && mode & constants.W_OK) {
        throw Object.assign(new Error(`EACCES: permission denied, access '${String(path)}'`), {
          code: 'EACCES',
        })
      }
      return actual.access(path, mode)
    },
  }
})

async function serve(listener: RequestListener): Promise<string> {
  return `${await listen(listener)}/webhooks/idaas`
}

const good = () => serve(createIdaasNodeHandler({ token: TOKEN, onEvent: () => {} }))
/** The example receiver that verifies JSON.stringify(JSON.parse(body)): the re-serialization bug. */
const reserializing = () => serve(createReserializingApp({ token: TOKEN }))

const FAST = ['--burst', '10']

describe('idaas-webhook-kit verify', () => {
  it('passes a correct receiver with exit 0 and a line per check, no colours off a TTY', async () => {
    const url = await good()
    const run = await cli(['verify', url, '--token', TOKEN, ...FAST])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.rawStdout).not.toContain('\u001b[')
    expect(run.stdout).toMatch(
      new RegExp(`^idaas-webhook-kit verify POST ${url.replaceAll('.', '\\.')}\n`),
    )
    expect(run.stdout).toContain(
      '  13 checks · deadline 3000 ms · burst 10 · IDaaS policy (retries 5xx only)\n',
    )
    for (const id of VERIFY_CHECK_IDS) {
      expect(run.stdout).toMatch(
        new RegExp(`^ {2}[✔⚠] ${id} +(?:\\d+ ms|\\d+\\.\\d+ s) {2}\\S`, 'm'),
      )
    }
    expect(run.stdout).toMatch(/^ {2}12 passed · 0 failed · 1 warning · [\d.]+ s$/m)
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      '✔ PASS: no error-severity check failed (uses-https: warning).',
    )
  })

  it('fails a broken receiver with exit 1 and shows the failing evidence', async () => {
    const url = await serve(
      createIdaasNodeHandler({ token: TOKEN, validation: 'strict', onEvent: () => {} }),
    )
    const run = await cli(['verify', url, '--token', TOKEN, ...FAST])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^ {2}✖ tolerates-unknown-event-type +\d+ ms {2}2 of 2 events/m)
    expect(run.stdout).toMatch(
      /^ {6}✖ user\.suspended: 400, [\d.]+ ms, body \{"error":"invalid-event"/m,
    )
    expect(run.stdout).toContain(
      '✖ FAIL: 3 error-severity checks failed: verifies-raw-body, tolerates-unknown-event-type, tolerates-unknown-fields.',
    )
  })

  it('reads the token from IDAAS_WEBHOOK_TOKEN and never prints it', async () => {
    const url = await serve(createIdaasNodeHandler({ token: 'whsec_other', onEvent: () => {} }))
    const run = await cli(['verify', url, '--only', 'accepts-every-event-type'], {
      env: { IDAAS_WEBHOOK_TOKEN: TOKEN },
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('Every delivery got 401')
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
  })

  it('keeps a numeric-looking token exactly as typed', async () => {
    const url = await serve(createIdaasNodeHandler({ token: '0012', onEvent: () => {} }))
    const run = await cli(['verify', url, '--token', '0012', '--only', 'accepts-redelivery'])
    expect(run.code).toBe(0)
  })

  it('reports an unreachable receiver once, with exit 1', async () => {
    const run = await cli(['verify', 'http://127.0.0.1:9/webhooks/idaas', '--token', TOKEN])
    expect(run.code).toBe(1)
    expect(run.stdout.match(/✖/g)).toHaveLength(3)
    expect(run.stdout).toContain(
      '  ✖ accepts-every-event-type         0 ms  Failed to reach the receiver at POST http://127.0.0.1:9/webhooks/idaas: connect ECONNREFUSED 127.0.0.1:9. Is it running, and is the URL right? No other check was run.\n',
    )
    expect(run.stdout).toMatch(
      /^ {2}○ 12 checks not run: receiver unreachable \(see accepts-every-event-type\): uses-https, /m,
    )
  })

  it('writes exactly the JSON document to stdout with --reporter json, valid against the shipped schema', async () => {
    const url = await good()
    const run = await cli(['verify', url, '--token', TOKEN, '--reporter', 'json', ...FAST])
    expect(run.code).toBe(0)
    const schema = JSON.parse(
      await readFile(join(root, 'schemas', 'verify-report.schema.json'), 'utf8'),
    )
    const document = JSON.parse(run.stdout) as { ok: boolean; target: string; checks: unknown[] }
    const validate = new Ajv2020().compile(schema)
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true)
    expect(document).toMatchObject({ ok: true, target: url })
    expect(document.checks).toHaveLength(13)
  })

  it('pairs each --reporter with the --output in the same position', async () => {
    const url = await good()
    const dir = await tempDir()
    const run = await cli(
      [
        'verify',
        url,
        '--token',
        TOKEN,
        ...FAST,
        '--reporter',
        'pretty',
        '--reporter',
        'junit',
        '--reporter',
        'json',
        '--output',
        '-',
        '--output',
        'verify.xml',
        '--output',
        'out/../verify.json',
      ],
      { cwd: dir },
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('✔ PASS')
    const suite = parseXml(await readFile(join(dir, 'verify.xml'), 'utf8')).children[0]
    expect(suite?.children.filter((c) => c.name === 'testcase')).toHaveLength(13)
    expect(JSON.parse(await readFile(join(dir, 'verify.json'), 'utf8'))).toMatchObject({ ok: true })
  })

  it('emits GitHub Actions annotations on stdout, or on stderr when stdout carries JSON', async () => {
    const url = await reserializing()
    const env = { GITHUB_ACTIONS: 'true' }
    const pretty = await cli(['verify', url, '--token', TOKEN, ...FAST], { env })
    expect(pretty.code).toBe(1)
    expect(pretty.stdout).toMatch(
      /^::error title=idaas-webhook-kit verify%3A verifies-raw-body::9 of 9 byte-tricky bodies did not get a 2xx/m,
    )
    expect(pretty.stdout).toMatch(
      /^::warning title=idaas-webhook-kit verify%3A uses-https::The callback URL/m,
    )
    const json = await cli(['verify', url, '--token', TOKEN, '--reporter', 'json', ...FAST], {
      env,
    })
    expect(() => JSON.parse(json.stdout)).not.toThrow()
    expect(json.stderr).toMatch(/^::error title=idaas-webhook-kit verify%3A verifies-raw-body::/m)
    const quiet = await cli(['verify', url, '--token', TOKEN, ...FAST])
    expect(quiet.stdout).not.toContain('::error')
  })

  it('colours on a TTY unless NO_COLOR is set', async () => {
    const url = await good()
    const args = ['verify', url, '--token', TOKEN, '--only', 'accepts-redelivery']
    const tty = await cli(args, { stdoutIsTTY: true })
    expect(tty.rawStdout).toContain('\u001b[32m✔\u001b[39m accepts-redelivery')
    // On a terminal, a transient line shows the running check and is erased before its result.
    expect(tty.rawStdout).toContain(
      '\u001b[2m  … running accepts-redelivery\u001b[22m\r\u001b[K  \u001b[32m✔',
    )
    const noColor = await cli(args, { stdoutIsTTY: true, env: { NO_COLOR: '1' } })
    // NO_COLOR turns colours off; the transient progress line (cursor control) stays on a terminal.
    expect(noColor.rawStdout).not.toMatch(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`))
  })

  it('shows progress on a terminal stderr when stdout carries only JSON, and erases it', async () => {
    const url = await good()
    let stdout = ''
    let stderr = ''
    const code = await runCLI(
      ['verify', url, '--token', TOKEN, '--reporter', 'json', '--only', 'no-redirect'],
      {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t), isTTY: true },
        env: {},
        cwd: root,
      },
    )
    expect(code).toBe(0)
    expect(stderr).toContain('\r\u001b[K  running no-redirect…')
    expect(stderr.endsWith('\r\u001b[K')).toBe(true)
    expect(JSON.parse(stdout)).toMatchObject({ ok: true })
  })

  it.each([
    [
      ['verify', 'localhost:3000/hook', '--token', TOKEN],
      'Invalid argument "<url>": expected an absolute http: or https: URL, got "localhost:3000/hook".',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook'],
      'Missing token: pass "--token <token>" or set IDAAS_WEBHOOK_TOKEN.',
    ],
    [
      [
        'verify',
        'http://127.0.0.1:9/hook',
        '--token',
        TOKEN,
        '--only',
        'accepts-redelivery,rejects-wrong-tokn',
      ],
      'Unknown check "rejects-wrong-tokn" in "--only". Did you mean "rejects-wrong-token"?',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook', '--token', TOKEN, '--skip', 'everything'],
      'Unknown check "everything" in "--skip". Known checks: uses-https, accepts-every-event-type, verifies-raw-body, tolerates-unknown-event-type, tolerates-unknown-fields, accepts-redelivery, responds-in-time, rejects-missing-signature, rejects-wrong-token, rejects-tampered-body, rejects-stale-signature, handles-burst, no-redirect.',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook', '--token', TOKEN, '--burst', '0'],
      'Invalid option "--burst": expected a whole number from 1 to 1000, got "0".',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook', '--token', TOKEN, '--timeout', '1.5s'],
      'Invalid option "--timeout": expected a whole number from 1 to 600000, got "1.5s".',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook', '--token', TOKEN, '--reporter', 'junitt'],
      'Invalid option "--reporter": expected "pretty", "json" or "junit", got "junitt". Did you mean "junit"?',
    ],
    [
      [
        'verify',
        'http://127.0.0.1:9/hook',
        '--token',
        TOKEN,
        '--reporter',
        'pretty',
        '--reporter',
        'junit',
        '--output',
        'a.xml',
      ],
      'Got 2 "--reporter" and 1 "--output": give one "--output" per "--reporter", in the same order ("-" for stdout).',
    ],
    [
      [
        'verify',
        'http://127.0.0.1:9/hook',
        '--token',
        TOKEN,
        '--reporter',
        'pretty',
        '--reporter',
        'json',
        '--output',
        '-',
        '--output',
        '-',
      ],
      'Several reporters write to stdout: give all but one of them a file with "--output".',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook', '--token', TOKEN, '--output', 'no/such/dir/report.txt'],
      'Invalid option "--output": cannot write "no/such/dir/report.txt": no such file.',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook', '--token', TOKEN, '--ca', 'missing.pem'],
      'Failed to read "missing.pem" (option "--ca"): no such file.',
    ],
    [
      [
        'verify',
        'http://127.0.0.1:9/hook',
        '--token',
        TOKEN,
        '--only',
        'no-redirect',
        '--skip',
        'no-redirect',
      ],
      'Failed to verify: options "only" and "skip" leave no check to run.',
    ],
    [
      ['verify', 'http://127.0.0.1:9/hook', '--token', 'whsec_!!!!', '--key-encoding', 'base64'],
      'Failed to verify: option "token" decodes to no bytes with option "keyEncoding" "base64". Is the token base64?',
    ],
  ])('exits 2 with one message for a usage error: %j', async (argv, message) => {
    const run = await cli(argv, { cwd: root, env: {} })
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(`[idaas-webhook-kit] ${message}\n`)
  })

  it('refuses an --output directory it may not write to, before running any check', async () => {
    const cwd = await tempDir()
    await mkdir(join(cwd, READ_ONLY_DIR))
    const output = `${READ_ONLY_DIR}/report.txt`
    const run = await cli(
      ['verify', 'http://127.0.0.1:9/hook', '--token', TOKEN, '--output', output],
      { cwd, env: {} },
    )
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toBe(
      `[idaas-webhook-kit] Invalid option "--output": cannot write "${output}": permission denied.\n`,
    )
  })
})

describe('idaas-webhook-kit verify --ca', () => {
  it('trusts a test CA for an https receiver', async () => {
    const pems = await createSelfSignedCertificate()
    const server = createHttpsServer(
      { key: pems.key, cert: pems.cert },
      createIdaasNodeHandler({ token: TOKEN, onEvent: () => {} }),
    )
    const host = new URL(await listen(server)).host
    const dir = await tempDir()
    await writeFile(join(dir, 'ca.pem'), pems.cert)
    const args = [
      'verify',
      `https://${host}/webhooks/idaas`,
      '--token',
      TOKEN,
      '--only',
      'uses-https,accepts-redelivery',
    ]
    const trusted = await cli([...args, '--ca', 'ca.pem'], { cwd: dir })
    expect(trusted.code).toBe(0)
    expect(trusted.stdout).toContain(`✔ uses-https`)
    expect(trusted.stdout).toContain(`"${host}" negotiates TLSv1.3 and refuses TLSv1.1 and TLSv1.`)
    const untrusted = await cli(args, { cwd: dir })
    expect(untrusted.code).toBe(1)
    expect(untrusted.stdout).toContain('DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate.')
    await writeFile(join(dir, 'not.pem'), 'hello')
    expect((await cli([...args, '--ca', 'not.pem'], { cwd: dir })).stderr).toBe(
      '[idaas-webhook-kit] Invalid option "--ca": "not.pem" holds no PEM certificate.\n',
    )
  })
})

describe('the built bin', () => {
  it('exits on its own, fast, against a receiver that hangs forever (no socket or timer left)', async () => {
    if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
      throw new Error('dist/ is missing: run "npm run build" before these tests')
    }
    const url = await serve(() => {})
    const started = performance.now()
    const result = await runProcess(
      process.execPath,
      [
        join(root, 'bin', 'idaas-webhook-kit.js'),
        'verify',
        url,
        '--timeout',
        '300',
        '--reporter',
        'junit',
      ],
      { env: cleanEnv({ IDAAS_WEBHOOK_TOKEN: TOKEN }), timeout: 20_000 },
    )
    expect(result.code).toBe(1)
    expect(performance.now() - started).toBeLessThan(5000)
    const suite = parseXml(result.stdout).children[0]
    expect(suite?.attributes).toMatchObject({ tests: '13', failures: '1', skipped: '12' })
    expect(stripVTControlCharacters(result.stderr)).toBe('')
  })
})
