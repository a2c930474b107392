import { describe, expect, it } from '@jest/globals'
import { gcFunction, heapRelief } from '../../src/common/heap-relief.js'

const MB = 1024 * 1024

/** A relief over a fake clock and memory: `set` moves them, `collections` counts. */
function fake(start: { rss: number; heapUsed: number }) {
  const state = { ...start, now: 0, gcs: 0, afterGc: start.heapUsed }
  const relief = heapRelief(
    () => {
      state.gcs++
      state.heapUsed = state.afterGc
    },
    () => ({ rss: state.rss, heapUsed: state.heapUsed }),
    () => state.now,
  )
  return { state, relief }
}

describe('heapRelief', () => {
  it('this Node gives a full collection, and calling it works', () => {
    const gc = gcFunction()
    expect(typeof gc).toBe('function')
    expect(() => gc!()).not.toThrow()
  })

  it('collects nothing while the resident set is under 200 MB, however often it is asked', () => {
    const { state, relief } = fake({ rss: 199 * MB, heapUsed: 150 * MB })
    for (let i = 0; i < 1000; i++) {
      state.now += 1000
      relief.relieve()
    }
    expect(state.gcs).toBe(0)
  })

  it('collects over 200 MB, at most once in 150 ms', () => {
    const { state, relief } = fake({ rss: 400 * MB, heapUsed: 300 * MB })
    state.afterGc = 20 * MB
    state.now = 1_000
    for (let i = 0; i < 100; i++) {
      state.now += 10 // 1 s in all
      relief.relieve()
    }
    // At 1,010 ms, then each 150 ms: 1,160 ... 1,910.
    expect(state.gcs).toBe(7)
    expect(relief.collections).toBe(7)
  })

  it('a large live set raises the bar: the next collection waits until the heap has grown 160 MB past it', () => {
    const { state, relief } = fake({ rss: 700 * MB, heapUsed: 600 * MB })
    state.afterGc = 500 * MB // what is alive: a big tokenizer, many digests
    state.now = 1_000
    relief.relieve()
    expect(state.gcs).toBe(1)
    // The bar is now 500 + 160 MB.
    state.rss = 650 * MB
    state.now += 1_000
    relief.relieve()
    expect(state.gcs).toBe(1) // 650 < 660
    state.rss = 661 * MB
    relief.relieve()
    expect(state.gcs).toBe(2)
  })

  it('without a collection to call it does nothing', () => {
    let asked = 0
    const relief = heapRelief(null, () => (asked++, { rss: 1e12, heapUsed: 1e12 }))
    relief.relieve()
    expect(relief.collections).toBe(0)
    expect(asked).toBe(0)
  })
})
