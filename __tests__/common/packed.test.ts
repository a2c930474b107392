// Numbers packed for a shard's report: every safe whole number comes back, and text no packNumbers
// wrote is refused, with a bound on how many numbers it may hold.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { packNumbers, PackedError, unpackNumbers, unzigzag, zigzag } from '../../src/common/packed.js'

describe('packNumbers and unpackNumbers', () => {
  it('give back every whole number from 0 to 2^53 - 1, at 1 byte for < 128 and 8 for 52 bits', () => {
    const edges = [0, 1, 127, 128, 16_383, 16_384, 2 ** 31, 2 ** 32, 2 ** 52 - 1, Number.MAX_SAFE_INTEGER]
    expect(unpackNumbers(packNumbers(edges), edges.length)).toEqual(edges)
    expect(Buffer.from(packNumbers([127]), 'base64')).toHaveLength(1)
    expect(Buffer.from(packNumbers([2 ** 52 - 1]), 'base64')).toHaveLength(8)
    fc.assert(
      fc.property(fc.array(fc.maxSafeNat()), (values) => {
        expect(unpackNumbers(packNumbers(values), values.length)).toEqual(values)
      }),
    )
  })

  it('refuse to pack what is not a safe whole number', () => {
    for (const bad of [-1, 1.5, NaN, 2 ** 53]) expect(() => packNumbers([bad])).toThrow(`cannot pack ${bad}`)
  })

  it.each([
    ['not base64', '!!!!'],
    ['not base64', 'AAA'],
    ['the last number is cut off', Buffer.from([0x80]).toString('base64')],
    ['a number longer than 8 bytes', Buffer.from(Array(9).fill(0xff).concat([1])).toString('base64')],
    ['a number past 2^53', Buffer.from([...Array(7).fill(0xff), 0x7f]).toString('base64')],
    ['more than 2 numbers', packNumbers([1, 2, 3])],
  ])('refuse text no packNumbers wrote: %s', (why, text) => {
    expect(() => unpackNumbers(text, 2)).toThrow(PackedError)
    expect(() => unpackNumbers(text, 2)).toThrow(why)
  })

  it('zigzag turns signed numbers into unsigned ones and back', () => {
    expect([0, -1, 1, -2, 2].map(zigzag)).toEqual([0, 1, 2, 3, 4])
    for (const n of [0, -1, 5, -1000, 2 ** 40]) expect(unzigzag(zigzag(n))).toBe(n)
  })
})
