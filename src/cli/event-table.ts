import type { IdaasEventTypeInfo } from '../schema/event-types.js'
import { type Style, stripAnsi } from './style.js'

/**
 * The event catalogue as a table: type, category, provenance, whether Entrust published an
 * example, and the TypeScript interface; then a one-line count.
 */
export function renderEventTable(catalogue: readonly IdaasEventTypeInfo[], style: Style): string {
  const rows = catalogue.map((info) => [
    info.type,
    info.category,
    info.provenance === 'documented' ? info.provenance : style.yellow(info.provenance),
    info.hasPublishedExample ? style.green('yes') : style.dim('no'),
    info.title,
  ])
  const header = ['TYPE', 'CATEGORY', 'PROVENANCE', 'EXAMPLE', 'INTERFACE'].map((h) =>
    style.bold(h),
  )
  const count = (provenance: string) =>
    catalogue.filter((info) => info.provenance === provenance).length
  const examples = catalogue.filter((info) => info.hasPublishedExample).length
  const footer =
    `${catalogue.length} event types: ${count('documented')} documented, ` +
    `${count('api-enum-only')} api-enum-only (named only in the Admin API), ` +
    `${count('assumption')} assumption (the kit's test delivery, A12); ` +
    `${examples} with a published example.`
  return `${renderTable([header, ...rows])}\n\n${footer}\n`
}

/** Left-aligned columns separated by two spaces; widths ignore colour codes. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, stripAnsi(cell).length)
    })
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1
            ? cell
            : cell + ' '.repeat((widths[i] ?? 0) - stripAnsi(cell).length),
        )
        .join('  '),
    )
    .join('\n')
}
