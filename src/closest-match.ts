/**
 * The candidate closest to `input` for a "Did you mean …?" hint, or `undefined` when none is
 * close: fewer than `maxEdits + 1` edits (default 2) and fewer than half of the input's length.
 */
export function closestMatch(
  input: string,
  candidates: Iterable<string>,
  { maxEdits = 2 }: { maxEdits?: number } = {},
): string | undefined {
  const limit = Math.min(maxEdits + 1, Math.ceil(input.length / 2))
  let best: string | undefined
  let bestDistance = limit
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate, bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

// Damerau-Levenshtein (optimal string alignment), so a swap such as "strcit" is one edit;
// cut off at `limit`, which is all a hint needs.
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const above = rows[i - 1] ?? []
      let value = Math.min(
        (above[j] ?? limit) + 1,
        (row[j - 1] ?? limit) + 1,
        (above[j - 1] ?? limit) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (rows[i - 2]?.[j - 2] ?? limit) + 1)
      }
      row.push(value)
      rowMin = Math.min(rowMin, value)
    }
    if (rowMin >= limit) return limit
    rows.push(row)
  }
  return rows[a.length]?.[b.length] ?? limit
}
