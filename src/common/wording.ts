// Wording shared by every layer: how counts, lists and sizes read in a message. One place, so a
// finding, a summary line and an error say "1,234 rows" and "1.2 GB" the same way.

/** "a, b and c", cut after `max` names so a message stays one readable sentence. */
export function listNames(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max)
  const rest = names.length - shown.length
  if (rest > 0) return `${shown.join(', ')} and ${rest.toLocaleString('en-US')} more`
  if (shown.length <= 1) return shown.join('')
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`
}

/** "1, 2, 5 and 7"; with more than `values` in all (`total`), "1, 2, …, 10 and 5 more". */
export function listNumbers(values: readonly number[], total = values.length): string {
  if (total > values.length) return `${values.join(', ')} and ${total - values.length} more`
  if (values.length === 1) return String(values[0])
  return `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`
}

/** "1.2 GB" style, decimal units as GPU memory is sold. */
export function formatDecimalBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = bytes
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`
}

/** "7.24B" style parameter counts. */
export function formatCount(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)}T`
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`
  return String(n)
}

/** "1.5 MiB" style, binary units as file sizes and limits are stated. */
export function formatBinaryBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`
}
