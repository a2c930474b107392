import { describe, expect, it } from '@jest/globals'
import { tokenLine } from '../../src/report/summary.js'

describe('token statistics in the summary', () => {
  it('every row counted: the figures are the dataset’s', () => {
    expect(tokenLine({ min: 9, median: 120, p95: 1800, max: 40_000, counted: 2500 })).toBe(
      'Tokens per rendered row (2,500 rows counted): min 9 · median 120 · p95 1,800 · max 40,000',
    )
  })

  it('a sample: named as one, with how it was taken, and its max is the sample’s', () => {
    expect(
      tokenLine({
        min: 9,
        median: 120,
        p95: 1800,
        max: 4000,
        counted: 7125,
        sample: { first: 0, every: 8 },
      }),
    ).toBe(
      'Tokens per rendered row, in a sample of 7,125 rows (about one in 8, picked by file and row): min 9 · median 120 · p95 1,800 · max 4,000 in the sample',
    )
    expect(
      tokenLine({ min: 1, median: 1, p95: 1, max: 1, counted: 6000, sample: { first: 0, every: 1024 } }),
    ).toContain('(about one in 1,024, picked by file and row)')
  })
})
