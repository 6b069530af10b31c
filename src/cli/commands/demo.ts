import { type CliCommand, EXIT_FAILURE, EXIT_OK } from '../command.js'
import { SUMMARY } from '../help.js'

/**
 * `demo`: what `npm start` runs. For now: the event catalogue and Entrust's published examples
 * validated in both modes. Later issues extend it into the full demo.
 */
export const demoCommand: CliCommand = {
  name: 'demo',
  description: "Show the event catalogue and check Entrust's examples (what npm start runs)",
  options: [],
  examples: ['idaas-webhook-kit demo', 'npm start'],
  async run(_input, { io, style, bin }) {
    const [{ IDAAS_EVENT_TYPES }, { validateEvent }, { ENTRUST_EXAMPLES }, table, packageInfo] =
      await Promise.all([
        import('../../schema/event-types.js'),
        import('../../schema/validate.js'),
        import('../../../generated/entrust-examples.js'),
        import('../event-table.js'),
        import('../package-info.js'),
      ])
    const { version } = packageInfo.readPackageInfo()
    const out = (text = '') => io.stdout.write(`${text}\n`)

    out(`${style.bold(`${bin} ${version}`)}: ${SUMMARY}`)
    out(
      "It knows every event type IDaaS sends and checks payloads against schemas from Entrust's docs.",
    )
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
    const rows: string[][] = []
    let failures = 0
    for (const [type, example] of examples) {
      const strict = validateEvent(example, { mode: 'strict' })
      const tolerant = validateEvent(example, { mode: 'tolerant' })
      if (!strict.ok) failures++
      if (!tolerant.ok) failures++
      rows.push([
        mark(strict.ok && tolerant.ok),
        type,
        `strict ${mark(strict.ok)}`,
        `tolerant ${mark(tolerant.ok)}`,
      ])
    }
    out(table.renderTable(rows))
    out()
    out(
      failures === 0
        ? `${style.green('✔')} All ${examples.length} examples are valid in both modes.`
        : `${style.red('✖')} ${failures} of ${examples.length * 2} checks failed.`,
    )
    out()
    out(style.bold('Try next'))
    out(
      table.renderTable([
        [`  ${bin} --help`, 'every command, with examples'],
        [`  ${bin} validate event.json`, 'check a payload you captured (JSON or JSON lines)'],
        [`  ${bin} types --out idaas-events.d.ts`, 'the event types for your own build'],
      ]),
    )
    return failures === 0 ? EXIT_OK : EXIT_FAILURE
  },
}
