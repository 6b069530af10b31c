import { randomBytes } from 'node:crypto'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { VerifyReport } from '../../verify/types.js'
import {
  type CliCommand,
  CliUsageError,
  type CommandContext,
  EXIT_FAILURE,
  EXIT_OK,
} from '../command.js'
import { SUMMARY } from '../help.js'
import { readBooleanOption } from '../options.js'

/** The check the demo's broken receiver must fail, and the only one. */
const EXPECTED_FAILURE = 'verifies-raw-body'

/**
 * `demo`: what `npm start` runs. Starts the kit's reference receiver on a free port, runs the
 * full `verify` against it, then against a receiver broken on purpose (it verifies re-serialized
 * JSON instead of the raw bytes), stops both and says what to try next. Exits 0 when the
 * reference passed and the broken one failed exactly `verifies-raw-body`.
 */
export const demoCommand: CliCommand = {
  name: 'demo',
  description:
    'Verify a reference receiver and a broken one on free ports, then show what to try (what npm start runs)',
  options: [
    {
      flags: '--catalogue',
      description: "Also list the 26 event types and Entrust's examples validated in both modes",
    },
  ],
  examples: ['idaas-webhook-kit demo', 'npm start', 'idaas-webhook-kit demo --catalogue'],
  async run(input, context) {
    const { io, style, bin } = context
    const out = (text = '') => io.stdout.write(`${text}\n`)
    const [{ readPackageInfo }, catalogue] = await Promise.all([
      import('../package-info.js'),
      checkCatalogue(),
    ])
    out(`${style.bold(`${bin} ${readPackageInfo().version}`)}: ${SUMMARY}`)
    out(
      catalogue.failures === 0
        ? `${style.green('✔')} ${catalogue.types} event types known. ${style.green('✔')} All ${catalogue.examples} examples are valid in both modes.`
        : `${style.red('✖')} ${catalogue.failures} of ${catalogue.examples * 2} example checks failed.`,
    )
    if (readBooleanOption(input.options, 'catalogue')) await printCatalogue(context)
    else out(style.dim(`  (${bin} demo --catalogue lists them)`))

    // A fresh token per run; it is never printed.
    const token = `whsec_${randomBytes(24).toString('base64url')}`
    const [{ createIdaasNodeHandler }, { verifyReceiver }, { createPrettyReporter }] =
      await Promise.all([
        import('../../receivers/node.js'),
        import('../../verify/run-contract.js'),
        import('../../reporters/pretty.js'),
      ])
    const verify = async (url: string): Promise<VerifyReport> => {
      const pretty = createPrettyReporter({
        write: (text) => io.stdout.write(text),
        style,
        live: io.stdout.isTTY === true,
      })
      const report = await verifyReceiver({ url }, { token, onProgress: pretty.onProgress })
      pretty.end(report)
      return report
    }

    out()
    out(
      style.bold(
        '1. The reference receiver: createIdaasNodeHandler() from this kit, on a free port, checked with the full verify',
      ),
    )
    out()
    const inbox = new Map<string, unknown>()
    const reference = await start(
      createIdaasNodeHandler({
        token,
        // Answer fast: keep the event for later work, once per envelope id (assumption A6: a
        // redelivery carries the same id).
        onEvent: (event) => {
          if (!inbox.has(event.id)) inbox.set(event.id, event)
        },
      }),
    )
    let good: VerifyReport
    try {
      good = await verify(`${reference.url}/webhooks/idaas`)
    } finally {
      await reference.stop()
    }

    out()
    out(
      style.bold(
        `2. A receiver broken on purpose: it verifies the signature over JSON.stringify(JSON.parse(body)), not the raw bytes. verify must catch it with ${EXPECTED_FAILURE}:`,
      ),
    )
    out()
    const broken = await start(await reserializingReceiver(token))
    let bad: VerifyReport
    try {
      bad = await verify(`${broken.url}/webhooks/idaas`)
    } finally {
      await broken.stop()
    }

    const failedIds = bad.checks
      .filter((c) => c.status === 'failed' && c.severity === 'error')
      .map((c) => c.id)
    const asExpected = good.ok && failedIds.length === 1 && failedIds[0] === EXPECTED_FAILURE
    out()
    out(
      asExpected
        ? `${style.green('✔')} ${style.bold('Demo OK')}: the reference receiver passed, and the broken one failed exactly ${EXPECTED_FAILURE}. That red ✖ above is expected: it is what verify is for.`
        : `${style.red('✖')} ${style.bold('Unexpected demo result')}: the reference receiver ${good.ok ? 'passed' : 'failed'}; the broken one failed ${failedIds.length === 0 ? 'no check' : failedIds.join(', ')} (expected only ${EXPECTED_FAILURE}).`,
    )
    out()
    out(style.bold('Try next'))
    const tries = [
      [`${bin} verify http://localhost:3000/webhooks/idaas --token "$TOKEN"`, 'your receiver'],
      [
        `${bin} verify <url> --reporter pretty --reporter junit --output - --output verify.xml`,
        'in CI, with a JUnit file',
      ],
      [`${bin} send http://localhost:3000/webhooks/idaas user.created`, 'one event, every attempt'],
      [
        `node ${examplePath('node-http/server.mjs')}`,
        'a reference receiver to copy (also express, fastify, hono)',
      ],
      [`${bin} --help`, 'every command'],
    ]
    const width = Math.max(...tries.map(([command]) => (command ?? '').length))
    for (const [command, what] of tries)
      out(`  ${(command ?? '').padEnd(width)}  ${style.dim(what ?? '')}`)
    return asExpected && catalogue.failures === 0 ? EXIT_OK : EXIT_FAILURE
  },
}

/**
 * Where the package's examples/ file is, relative to the working directory: `examples/…` in the
 * kit's repository, `node_modules/idaas-webhook-kit/examples/…` in a project that installed it.
 */
export function examplePath(file: string): string {
  // This module is dist/src/cli/commands/demo.js when built, src/cli/commands/demo.ts under vitest.
  const root = import.meta.url.includes('/dist/src/') ? '../../../../' : '../../../'
  const path = fileURLToPath(new URL(`${root}examples/${file}`, import.meta.url))
  return relative(process.cwd(), path).split('\\').join('/')
}

/** The catalogue size and Entrust's examples validated in strict and tolerant mode. */
async function checkCatalogue(): Promise<{ types: number; examples: number; failures: number }> {
  const [{ IDAAS_EVENT_TYPES }, { validateEvent }, { ENTRUST_EXAMPLES }] = await Promise.all([
    import('../../schema/event-types.js'),
    import('../../schema/validate.js'),
    import('../../../generated/entrust-examples.js'),
  ])
  const examples = Object.values(ENTRUST_EXAMPLES)
  let failures = 0
  for (const example of examples) {
    if (!validateEvent(example, { mode: 'strict' }).ok) failures++
    if (!validateEvent(example, { mode: 'tolerant' }).ok) failures++
  }
  return { types: IDAAS_EVENT_TYPES.length, examples: examples.length, failures }
}

async function printCatalogue({ io, style }: CommandContext): Promise<void> {
  const [{ IDAAS_EVENT_TYPES }, { validateEvent }, { ENTRUST_EXAMPLES }, table] = await Promise.all(
    [
      import('../../schema/event-types.js'),
      import('../../schema/validate.js'),
      import('../../../generated/entrust-examples.js'),
      import('../event-table.js'),
    ],
  )
  const out = (text = '') => io.stdout.write(`${text}\n`)
  out()
  out(style.bold(`The ${IDAAS_EVENT_TYPES.length} event types`))
  out(table.renderEventTable(IDAAS_EVENT_TYPES, style).trimEnd())
  out()
  const examples = Object.entries(ENTRUST_EXAMPLES)
  out(
    style.bold(
      `Entrust's ${examples.length} published examples, validated in strict and tolerant mode`,
    ),
  )
  const mark = (ok: boolean) => (ok ? style.green('✔') : style.red('✖'))
  const rows = examples.map(([type, example]) => {
    const strict = validateEvent(example, { mode: 'strict' }).ok
    const tolerant = validateEvent(example, { mode: 'tolerant' }).ok
    return [mark(strict && tolerant), type, `strict ${mark(strict)}`, `tolerant ${mark(tolerant)}`]
  })
  out(table.renderTable(rows))
}

/**
 * A node:http server on 127.0.0.1 and a free port; `stop` closes it and every connection.
 * @throws CliUsageError when it cannot listen, e.g. without a loopback interface.
 */
async function start(listener: RequestListener): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer(listener)
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new CliUsageError(`Failed to start the demo receiver on "127.0.0.1": ${error.message}.`, {
          cause: error,
        }),
      ),
    )
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * The most common receiver bug, on purpose: it parses the JSON and checks the signature over
 * `JSON.stringify()` of it, where Entrust requires the raw body exactly as received. Deliveries
 * whose bytes are already compact JSON pass; the byte-tricky bodies of verifies-raw-body do not.
 */
async function reserializingReceiver(token: string): Promise<RequestListener> {
  const { verifyDelivery } = await import('../../signing/verify.js')
  return (request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      let parsed: unknown
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        response.writeHead(400).end()
        return
      }
      verifyDelivery(
        {
          method: request.method ?? 'POST',
          url: `http://${request.headers.host}${request.url}`,
          headers: request.headers,
          body: JSON.stringify(parsed), // the bug: not the bytes that arrived
        },
        { token },
      ).then(
        (result) => {
          response
            .writeHead(
              result.ok ? 204 : 401,
              result.ok ? {} : { 'content-type': 'application/json' },
            )
            .end(result.ok ? undefined : JSON.stringify({ error: result.reason }))
        },
        () => response.writeHead(500).end(),
      )
    })
  }
}
