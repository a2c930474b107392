import { describe, expect, it } from '@jest/globals'
import { gcFunction, heapRelief } from '../../src/common/heap-relief.js'

const MB = 1024 * 1024

/** A relief over a fake clock and heap: `state` moves them; a collection leaves `live` held. */
function fake(start: { held: number; live: number }) {
  const state = { ...start, now: 0, gcs: 0 }
  const relief = heapRelief(
    () => {
      state.gcs++
      state.held = state.live
    },
    () => ({ heapUsed: state.held - 10 * MB, arrayBuffers: 10 * MB }),
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

  it('collects nothing while the heap and array buffers hold under 96 MB, however often it is asked', () => {
    const { state, relief } = fake({ held: 95 * MB, live: 20 * MB })
    for (let i = 0; i < 1000; i++) {
      state.now += 1000
      relief.relieve()
    }
    expect(state.gcs).toBe(0)
  })

  it('collects when garbage has grown 64 MB past what is alive, at most once in 150 ms', () => {
    const { state, relief } = fake({ held: 400 * MB, live: 20 * MB })
    state.now = 1_000
    for (let i = 0; i < 100; i++) {
      state.now += 10 // 1 s in all
      state.held += 10 * MB // garbage piles up fast
      relief.relieve()
    }
    // At 1,010 ms, then each 150 ms: 1,160 ... 1,910.
    expect(state.gcs).toBe(7)
    expect(relief.collections).toBe(7)
  })

  it('a large live set is collected after it has grown by half, not on every batch', () => {
    const { state, relief } = fake({ held: 900 * MB, live: 800 * MB }) // a test runner's heap
    state.now = 1_000
    relief.relieve()
    expect(state.gcs).toBe(1)
    for (let i = 0; i < 100; i++) {
      state.now += 1_000
      state.held = Math.min(state.held + 3 * MB, 1199 * MB)
      relief.relieve()
    }
    expect(state.gcs).toBe(1) // 800 + 400 MB not reached
    state.held = 1201 * MB
    relief.relieve()
    expect(state.gcs).toBe(2)
  })

  it('without a collection to call it does nothing', () => {
    let asked = 0
    const relief = heapRelief(null, () => (asked++, { heapUsed: 1e12, arrayBuffers: 0 }))
    relief.relieve()
    expect(relief.collections).toBe(0)
    expect(asked).toBe(0)
  })
})
