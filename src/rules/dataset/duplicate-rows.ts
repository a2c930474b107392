import { createHash } from 'node:crypto'
import { z } from 'zod'
import { defineDatasetRule } from '../dataset-rule.js'
import { isObject } from '../../common/json.js'
import { packNumbers, unpackNumbers, unzigzag, zigzag } from '../../common/packed.js'

/**
 * A shard's rows as duplicate-rows sees them: the files by path, then four packed numbers a row, in row
 * order: the row's 52-bit digest, the step to its file (0: the same), the step to its row number from
 * the file's last one, and its line less its row (zigzag, plus 1; 0 for a row without a line: Parquet).
 */
const State = z.strictObject({ files: z.array(z.string()).max(100_000), rows: z.string() })

export default defineDatasetRule({
  meta: {
    id: 'DS302',
    name: 'duplicate-rows',
    description: 'Report conversations that appear more than once',
    severity: 'warning',
    inputs: ['rows'],
    messages: {
      duplicate: {
        text: (d: { first: string }) => `This conversation repeats ${d.first} exactly.`,
        hint: () =>
          'Remove duplicates: they weigh those examples more and leak between train and test splits.',
      },
    },
  },
  create({ report }) {
    // 52 bits of a SHA-1 per row, as a number key: about 40 bytes a row, flat in the size of the
    // conversations; the first row is kept as its file's index and its row number, packed in a number.
    const first = new Map<number, number>()
    const paths: string[] = []
    // For a shard's state: the duplicates (digest, then file and row packed as above), and the lines of
    // rows where a line's distance from its row changes (JSON Lines: once a file, unless blank lines).
    const duplicates: number[] = []
    const changedAt: number[] = []
    const offsets: number[] = [] // NaN: no line
    const lineOf = (at: number): number | undefined => {
      // The last change at or before `at` (rows come in order, so `changedAt` is sorted).
      let lo = 0
      let hi = changedAt.length - 1
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2)
        if (changedAt[mid]! <= at) lo = mid
        else hi = mid - 1
      }
      const offset = offsets[lo] ?? NaN
      return Number.isNaN(offset) ? undefined : (at % 2 ** 32) + offset
    }
    return {
      row(r) {
        if (!isObject(r.value) || !Array.isArray(r.value.messages)) return
        let text: string
        try {
          text = JSON.stringify(r.value.messages)
        } catch {
          return // nested beyond the stack (thousands of levels): message-schema and template-render report it
        }
        const digest = createHash('sha1').update(text).digest()
        const key = digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4)
        if (paths.at(-1) !== r.file.path) paths.push(r.file.path)
        const at = (paths.length - 1) * 2 ** 32 + r.row
        const offset = r.line === undefined ? NaN : r.line - r.row
        const last = changedAt.length - 1
        if (last < 0 || !Object.is(offsets[last], offset) || lineFile(changedAt[last]!) !== lineFile(at)) {
          changedAt.push(at)
          offsets.push(offset)
        }
        const earlier = first.get(key)
        if (earlier !== undefined) {
          const file = Math.floor(earlier / 2 ** 32)
          report('duplicate', { first: `row ${earlier % 2 ** 32} of ${paths[file]}` }, r.location)
          duplicates.push(key, at)
          return
        }
        first.set(key, at)
      },
      shardState() {
        // Every row seen, first or not, in row order: the firsts in the order met, the duplicates
        // merged in.
        const numbers: number[] = []
        let file = 0
        let row = 0
        const put = (key: number, at: number) => {
          const f = lineFile(at)
          if (f !== file) row = 0
          const line = lineOf(at)
          numbers.push(
            key,
            f - file,
            (at % 2 ** 32) - row,
            line === undefined ? 0 : zigzag(line - (at % 2 ** 32)) + 1,
          )
          file = f
          row = at % 2 ** 32
        }
        let d = 0
        for (const [key, at] of first) {
          while (d < duplicates.length && duplicates[d + 1]! < at) {
            put(duplicates[d]!, duplicates[d + 1]!)
            d += 2
          }
          put(key, at)
        }
        for (; d < duplicates.length; d += 2) put(duplicates[d]!, duplicates[d + 1]!)
        return { files: paths, rows: packNumbers(numbers) }
      },
    }
  },
  mergeShards: {
    replaces: ['duplicate'],
    parse: (state, shard) => {
      const { files, rows } = State.parse(state)
      // At most one entry for each row the shard read.
      const numbers = unpackNumbers(rows, 4 * shard.rows)
      if (numbers.length % 4 !== 0) throw new Error('its rows are cut off')
      return { files, numbers }
    },
    merge(states: { files: string[]; numbers: number[] }[], ctx) {
      // Every shard's rows, by their place in the dataset (its file's index, then its row), so the
      // first of each digest is the first one run meets, whichever shard read it.
      const total = states.reduce((n, s) => n + s.numbers.length / 4, 0)
      const keys = new Float64Array(total)
      const places = new Float64Array(total)
      const lines = new Float64Array(total)
      const runs: [number, number][] = []
      let n = 0
      for (const { files, numbers } of states) {
        const index = files.map((p) => ctx.fileIndex(p))
        const start = n
        let file = 0
        let row = 0
        for (let i = 0; i < numbers.length; i += 4) {
          const step = numbers[i + 1]!
          file += step
          if (step !== 0) row = 0
          row += numbers[i + 2]!
          const f = index[file]
          if (f === undefined || f < 0)
            throw new Error(`a row of a file that is not a data file of the dataset`)
          if (row < 1 || row >= 2 ** 32) throw new Error(`row ${row} cannot be a row`)
          keys[n] = numbers[i]!
          places[n] = f * 2 ** 32 + row
          if (n > start && places[n]! <= places[n - 1]!) throw new Error('its rows are out of order')
          const line = numbers[i + 3]!
          lines[n++] = line === 0 ? NaN : row + unzigzag(line - 1)
        }
        runs.push([start, n])
      }
      const order = inOrder(places, runs)
      const firsts = new Map<number, number>()
      for (const i of order) {
        const at = places[i]!
        const earlier = firsts.get(keys[i]!)
        if (earlier === undefined) {
          firsts.set(keys[i]!, at)
          continue
        }
        const line = lines[i]!
        ctx.reportRow(
          'duplicate',
          { first: `row ${earlier % 2 ** 32} of ${ctx.files[Math.floor(earlier / 2 ** 32)]}` },
          {
            path: ctx.files[Math.floor(at / 2 ** 32)]!,
            row: at % 2 ** 32,
            ...(Number.isNaN(line) ? {} : { line }),
          },
        )
      }
    },
  },
})

/**
 * The indexes of `places` in increasing order, given runs of it that are each in order already (one a
 * shard): the runs merged two by two, log2(shards) linear passes.
 */
function inOrder(places: Float64Array, runs: [number, number][]): Uint32Array {
  let order = new Uint32Array(places.length)
  for (let i = 0; i < order.length; i++) order[i] = i
  let spare = new Uint32Array(places.length)
  while (runs.length > 1) {
    const next: [number, number][] = []
    for (let r = 0; r < runs.length; r += 2) {
      const [a0, a1] = runs[r]!
      const [b0, b1] = runs[r + 1] ?? [a1, a1]
      let i = a0
      let j = b0
      let k = a0
      while (i < a1 && j < b1)
        spare[k++] = places[order[i]!]! < places[order[j]!]! ? order[i++]! : order[j++]!
      while (i < a1) spare[k++] = order[i++]!
      while (j < b1) spare[k++] = order[j++]!
      next.push([a0, b1])
    }
    ;[order, spare] = [spare, order]
    runs = next
  }
  return order
}

/** The file of a row packed as file * 2^32 + row. */
const lineFile = (at: number) => Math.floor(at / 2 ** 32)
