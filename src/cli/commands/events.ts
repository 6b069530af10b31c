import { type CliCommand, EXIT_OK } from '../command.js'
import { readBooleanOption, sharedOptions } from '../options.js'

/** `events`: the catalogue of the 26 event types (Entrust's 25 and `webhook.test`), as a table or as JSON. */
export const eventsCommand: CliCommand = {
  name: 'events',
  description: 'List the event types with category, provenance and published example',
  options: [sharedOptions.json],
  examples: ['idaas-webhook-kit events', 'idaas-webhook-kit events --json > idaas-events.json'],
  async run(input, { io, style }) {
    const [{ IDAAS_EVENT_TYPES }, { renderEventTable }] = await Promise.all([
      import('../../schema/event-types.js'),
      import('../event-table.js'),
    ])
    if (readBooleanOption(input.options, 'json')) {
      io.stdout.write(`${JSON.stringify(IDAAS_EVENT_TYPES, null, 2)}\n`)
    } else {
      io.stdout.write(renderEventTable(IDAAS_EVENT_TYPES, style))
    }
    return EXIT_OK
  },
}
