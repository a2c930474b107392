import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import fc from 'fast-check'
import {
  DTYPE_BITS,
  MAX_HEADER_LENGTH,
  SAFETENSORS_PROBLEM_SEVERITY,
  dtypeByteSize,
  hasErrors,
  isDtype,
  isSubByteDtype,
  parseSafetensorsHeader,
  readSafetensorsHeader,
  type Dtype,
  type SafetensorsParse,
  type SafetensorsProblem,
  type SafetensorsProblemCode,
} from '../../src/artifacts/safetensors.js'
import { SourceError } from '../../src/common/errors.js'
import { openLocalSource } from '../../src/sources/local.js'
import { memorySource } from '../../src/sources/memory.js'
import type { Source } from '../../src/sources/source.js'
import {
  DTYPE_BITS as BUILDER_DTYPE_BITS,
  assembleSafetensors,
  makeSafetensors,
  rewriteHeader,
  rewriteHeaderText,
  splitSafetensors,
  type TensorSpec,
} from '../helpers/safetensors.js'
import { CORPUS_ROOT } from '../helpers/corpus.js'

// Every problem code seen by any test: the last test checks that each code has one.
const seen = new Set<SafetensorsProblemCode>()

function parse(file: Uint8Array, fileSize = file.length): SafetensorsParse {
  const result = parseSafetensorsHeader(file, fileSize)
  for (const p of result.problems) seen.add(p.code)
  return result
}

const codes = (r: SafetensorsParse) => r.problems.map((p) => p.code)
const errorCodes = (r: SafetensorsParse) =>
  r.problems.filter((p) => SAFETENSORS_PROBLEM_SEVERITY[p.code] === 'error').map((p) => p.code)

/** The problems with this code, typed. */
function only<C extends SafetensorsProblemCode>(
  r: SafetensorsParse,
  code: C,
): Extract<SafetensorsProblem, { code: C }>[] {
  return r.problems.filter((p) => p.code === code) as Extract<SafetensorsProblem, { code: C }>[]
}

function header(r: SafetensorsParse) {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`)
  return r.header
}

/** A small valid model file: two F32 tensors, a BF16 one and a scalar. */
function sample(): Buffer {
  return makeSafetensors({
    'model.embed.weight': { dtype: 'F32', shape: [4, 2] },
    'model.norm.weight': { dtype: 'BF16', shape: [3] },
    'lm_head.weight': { dtype: 'F32', shape: [2, 2] },
    step: { dtype: 'I64', shape: [] },
  })
}

describe('parseSafetensorsHeader: valid files', () => {
  it('reads tensors sorted by offset, metadata, header length and data end', () => {
    const file = sample()
    const r = parse(file)
    expect(r.problems).toEqual([])
    const h = header(r)
    expect(h.tensors).toEqual([
      { name: 'model.embed.weight', dtype: 'F32', shape: [4, 2], start: 0, end: 32 },
      { name: 'model.norm.weight', dtype: 'BF16', shape: [3], start: 32, end: 38 },
      { name: 'lm_head.weight', dtype: 'F32', shape: [2, 2], start: 38, end: 54 },
      { name: 'step', dtype: 'I64', shape: [], start: 54, end: 62 },
    ])
    expect({ ...h.metadata }).toEqual({ format: 'pt' })
    expect(h.headerLength).toBe(splitSafetensors(file).header.length)
    expect(h.dataEnd).toBe(62)
    expect(8 + h.headerLength + h.dataEnd).toBe(file.length)
  })

  it('sorts by (begin, end) whatever the order in the JSON, as the crate validates', () => {
    const file = rewriteHeader(sample(), (h) => {
      const { __metadata__, ...tensors } = h
      return { ...Object.fromEntries(Object.entries(tensors).reverse()), __metadata__ }
    })
    expect(header(parse(file)).tensors.map((t) => t.start)).toEqual([0, 32, 38, 54])
  })

  it('accepts the crate edge cases: empty header, zero-size tensors, scalars, whitespace padding', () => {
    const empty = parse(assembleSafetensors('{}'))
    expect(errorCodes(empty)).toEqual([])
    expect(header(empty)).toMatchObject({ tensors: [], metadata: null, headerLength: 2, dataEnd: 0 })

    const zero = makeSafetensors({
      a: { dtype: 'F32', shape: [2] },
      empty: { dtype: 'F16', shape: [2, 0] },
      b: { dtype: 'U8', shape: [1] },
    })
    expect(parse(zero).problems).toEqual([])
    expect(header(parse(zero)).tensors.find((t) => t.name === 'empty')).toMatchObject({ start: 8, end: 8 })

    const padded = rewriteHeaderText(sample(), (t) => t.trimEnd() + ' \t\r\n  ', false)
    expect(parse(padded).problems).toEqual([])
  })

  it('knows every dtype of the crate, with its bit size', () => {
    expect(Object.keys(DTYPE_BITS)).toEqual([
      'BOOL',
      'F4',
      'F6_E2M3',
      'F6_E3M2',
      'U8',
      'I8',
      'F8_E5M2',
      'F8_E4M3',
      'F8_E8M0',
      'F8_E4M3FNUZ',
      'F8_E5M2FNUZ',
      'I16',
      'U16',
      'F16',
      'BF16',
      'I32',
      'U32',
      'F32',
      'C64',
      'F64',
      'I64',
      'U64',
    ])
    expect({ ...BUILDER_DTYPE_BITS }).toEqual({ ...DTYPE_BITS })
    expect([DTYPE_BITS.F4, DTYPE_BITS.F6_E2M3, DTYPE_BITS.F6_E3M2, DTYPE_BITS.C64]).toEqual([4, 6, 6, 64])
    expect(isDtype('toString')).toBe(false)
    expect(isDtype('F8_E8M0')).toBe(true)
    expect((Object.keys(DTYPE_BITS) as Dtype[]).filter(isSubByteDtype)).toEqual(['F4', 'F6_E2M3', 'F6_E3M2'])

    const tensors: Record<string, TensorSpec> = {}
    for (const dtype of Object.keys(DTYPE_BITS)) tensors[`t.${dtype}`] = { dtype, shape: [2, 4] }
    const r = parse(makeSafetensors(tensors))
    expect(r.problems).toEqual([])
    for (const t of header(r).tensors) expect(t.end - t.start).toBe((8 * DTYPE_BITS[t.dtype]) / 8)
  })

  it('computes byte sizes like the crate: exact bits, no rounding up', () => {
    expect(dtypeByteSize('F4', 4)).toBe(2n)
    expect(dtypeByteSize('F4', 3)).toBeUndefined()
    expect(dtypeByteSize('F6_E3M2', 4)).toBe(3n)
    expect(dtypeByteSize('BF16', 2n ** 59n)).toBe(2n ** 60n)
    // 2^62 × 16 bits overflows u64 even though the byte count would fit: the crate counts bits.
    expect(dtypeByteSize('BF16', 2n ** 62n)).toBeUndefined()
    expect(dtypeByteSize('F64', 2n ** 62n)).toBeUndefined()
  })

  it('keeps names that would be special on a plain object', () => {
    const file = rewriteHeaderText(
      makeSafetensors({ a: { dtype: 'U8', shape: [1] } }, { format: 'pt' }),
      (t) => t.replace('"a"', '"__proto__"').replace('"format":"pt"', '"format":"pt","__proto__":"x"'),
    )
    const h = header(parse(file))
    expect(h.tensors.map((t) => t.name)).toEqual(['__proto__'])
    expect(Object.hasOwn(h.metadata!, '__proto__')).toBe(true)
    expect(h.metadata!.__proto__).toBe('x')
  })

  it('unescapes names and compares duplicates after unescaping', () => {
    const file = rewriteHeaderText(makeSafetensors({ ab: { dtype: 'U8', shape: [1] } }), (t) =>
      t.replace('"ab"', '"\\u0061\\u00e9\\ud83d\\ude00\\n"'),
    )
    expect(header(parse(file)).tensors[0].name).toBe('aé😀\n')
  })
})

describe('parseSafetensorsHeader: the length prefix', () => {
  it('header-too-small: 0-byte and 7-byte files', () => {
    expect(parse(new Uint8Array(0))).toEqual({
      ok: false,
      problems: [{ code: 'header-too-small', fileSize: 0 }],
    })
    expect(parse(new Uint8Array(7))).toEqual({
      ok: false,
      problems: [{ code: 'header-too-small', fileSize: 7 }],
    })
  })

  it('header-too-large: a length of 2^63−1, refused without allocating', () => {
    const file = assembleSafetensors('{}', new Uint8Array(0), 2n ** 63n - 1n)
    expect(parse(file)).toEqual({
      ok: false,
      problems: [
        {
          code: 'header-too-large',
          headerLength: '9223372036854775807',
          limit: 100_000_000,
          lfsPointer: false,
        },
      ],
    })
    const max = assembleSafetensors('{}', new Uint8Array(0), 2n ** 64n - 1n)
    expect(only(parse(max), 'header-too-large')[0].headerLength).toBe('18446744073709551615')
  })

  it('header-too-large starts one byte over the crate limit', () => {
    const at = parse(assembleSafetensors('{}', new Uint8Array(0), BigInt(MAX_HEADER_LENGTH)))
    expect(codes(at)).toEqual(['header-past-eof'])
    const over = parse(assembleSafetensors('{}', new Uint8Array(0), BigInt(MAX_HEADER_LENGTH + 1)))
    expect(codes(over)).toEqual(['header-too-large'])
  })

  it('header-too-large names a Git LFS pointer', () => {
    const pointer = Buffer.from(
      'version https://git-lfs.github.com/spec/v1\noid sha256:52addd84f7e83b6f5b54edfbcd11a9dc71ced13e63967e0e551fcdd071a09cac\nsize 8792578462\n',
    )
    const r = parse(pointer)
    expect(r).toEqual({
      ok: false,
      problems: [
        {
          code: 'header-too-large',
          headerLength: '2336927755350992246',
          limit: MAX_HEADER_LENGTH,
          lfsPointer: true,
        },
      ],
    })
  })

  it('header-past-eof: an 8-byte file announcing 60 bytes, and a length larger than the file', () => {
    expect(parse(assembleSafetensors('', new Uint8Array(0), 60n))).toEqual({
      ok: false,
      problems: [{ code: 'header-past-eof', headerLength: 60, fileSize: 8 }],
    })
    const file = sample()
    const lying = Buffer.from(file)
    lying.writeBigUInt64LE(BigInt(file.length))
    expect(parse(lying).problems).toEqual([
      { code: 'header-past-eof', headerLength: file.length, fileSize: file.length },
    ])
  })

  it('asks for more bytes when the prefix is shorter than the header', () => {
    const file = sample()
    const n = splitSafetensors(file).header.length
    expect(parse(file.subarray(0, 20), file.length)).toEqual({ ok: false, problems: [], needBytes: 8 + n })
    expect(parse(file.subarray(0, 5), file.length)).toEqual({ ok: false, problems: [], needBytes: 8 })
    expect(parse(file.subarray(0, 8 + n), file.length).ok).toBe(true)
  })

  it('refuses a file size that is not a byte count (a caller bug, not a file problem)', () => {
    expect(() => parseSafetensorsHeader(new Uint8Array(8), -1)).toThrow(RangeError)
    expect(() => parseSafetensorsHeader(new Uint8Array(8), Number.NaN)).toThrow(RangeError)
  })
})

describe('parseSafetensorsHeader: the header text', () => {
  it('invalid-utf8 points at the first bad byte', () => {
    const file = sample()
    const bad = rewriteHeaderText(file, (t) => t.replace('lm_head', 'lm\u0000head'))
    const at = bad.indexOf(0, 8)
    bad[at] = 0xff
    expect(parse(bad)).toEqual({ ok: false, problems: [{ code: 'invalid-utf8', byteOffset: at }] })
    // An encoded surrogate (ED A0 80) is invalid UTF-8 for Rust too.
    const surrogate = assembleSafetensors(Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]))
    expect(only(parse(surrogate), 'invalid-utf8')).toEqual([{ code: 'invalid-utf8', byteOffset: 10 }])
  })

  it.each([
    ['not JSON at all', 'hello world', 0],
    ['an empty header', '', 0],
    ['a trailing comma', '{"a":1,}', 7],
    ['single quotes', "{'a':1}", 1],
    ['a comment', '{/* x */}', 1],
    ['NaN', '{"a":NaN}', 5],
    ['a leading zero', '{"a":01}', 6],
    ['a control character in a string', '{"a\tb":1}', 1],
    ['an invalid escape', '{"a\\x":1}', 1],
    ['a lone surrogate escape', '{"\\ud800":1}', 1],
    ['two values', '{} {}', 3],
    ['an unclosed object', '{"a":{"b":1}', 12],
    ['a byte order mark', '\ufeff{}', 0],
    ['trailing NUL padding', '{}\u0000\u0000', 2],
    ['a number out of f64 range', '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":-1e400}}', 56],
  ])('invalid-json: %s', (_name, text, at) => {
    const r = parse(assembleSafetensors(text))
    expect(r.ok).toBe(false)
    const [p] = only(r, 'invalid-json')
    expect(p.detail).not.toBe('')
    expect(p.byteOffset).toBe(8 + Buffer.byteLength(text.slice(0, at)))
  })

  it('invalid-json: nesting deeper than serde_json allows, without exhausting the stack', () => {
    const deep = (n: number) =>
      `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":${'['.repeat(n)}${']'.repeat(n)}}}`
    expect(codes(parse(assembleSafetensors(deep(125), new Uint8Array(1))))).toEqual([
      'unknown-tensor-key',
      'metadata-format-missing',
    ])
    expect(only(parse(assembleSafetensors(deep(126), new Uint8Array(1))), 'invalid-json')[0].detail).toMatch(
      /recursion limit/,
    )
    expect(codes(parse(assembleSafetensors('['.repeat(1_000_000))))).toEqual(['invalid-json'])
  })

  it('not-an-object: a JSON array, string, number or null', () => {
    for (const [text, found] of [
      ['[]', 'an array'],
      ['"x"', 'a string'],
      ['42', 'a number (42)'],
      ['null', 'null'],
    ])
      expect(parse(assembleSafetensors(text))).toEqual({
        ok: false,
        problems: [{ code: 'not-an-object', found }],
      })
  })

  it('leading-whitespace: accepted by the crate, against the spec', () => {
    const r = parse(rewriteHeaderText(sample(), (t) => '\n' + t.trimEnd(), false))
    expect(codes(r)).toEqual(['leading-whitespace'])
    expect(SAFETENSORS_PROBLEM_SEVERITY['leading-whitespace']).toBe('info')
  })

  // header-over-hub-limit (a header over 25 MB): __tests__/scale/safetensors.test.ts.
})

describe('parseSafetensorsHeader: entries', () => {
  it('duplicate-tensor: a tensor named twice keeps the last entry, as serde does, and leaves a gap', () => {
    const file = rewriteHeaderText(sample(), (t) => t.replace('"lm_head.weight"', '"model.embed.weight"'))
    const r = parse(file)
    expect(only(r, 'duplicate-tensor')).toEqual([
      { code: 'duplicate-tensor', tensor: 'model.embed.weight', times: 2 },
    ])
    expect(only(r, 'duplicate-key')).toEqual([])
    expect(SAFETENSORS_PROBLEM_SEVERITY['duplicate-tensor']).toBe('warning')
    expect(header(r).tensors.map((t) => t.name)).toEqual(['model.norm.weight', 'model.embed.weight', 'step'])
    expect(only(r, 'non-contiguous')).toEqual([
      {
        code: 'non-contiguous',
        tensor: 'model.norm.weight',
        kind: 'leading-gap',
        start: 32,
        expected: 0,
        previous: null,
      },
    ])
  })

  it('duplicate-tensor: the layout checks read the last entry of a name; every entry is decoded, as serde does', () => {
    const entry = (dtype: string, offsets = '[0,1]') =>
      `{"dtype":"${dtype}","shape":[1],"data_offsets":${offsets}}`
    const file = (first: string, last: string) =>
      assembleSafetensors(`{"__metadata__":{"format":"pt"},"a":${first},"a":${last}}`, new Uint8Array(1))
    // The earlier entry's offsets are never used: only the kept one is laid out.
    const earlierOffsetsOff = parse(file(entry('U8', '[5,9]'), entry('U8')))
    expect(codes(earlierOffsetsOff)).toEqual(['duplicate-tensor'])
    expect(errorCodes(earlierOffsetsOff)).toEqual([])
    expect(header(earlierOffsetsOff).tensors).toEqual([
      { name: 'a', dtype: 'U8', shape: [1], start: 0, end: 1 },
    ])
    // serde decodes the earlier entry into a TensorInfo before the map drops it: a bad dtype or a
    // missing field there fails the file, as it does in the crate.
    expect(errorCodes(parse(file(entry('X9'), entry('U8'))))).toEqual(['unknown-dtype'])
    expect(errorCodes(parse(file('{"dtype":"U8"}', entry('U8'))))).toEqual([
      'invalid-tensor-entry',
      'invalid-tensor-entry',
    ])
    const lastBad = parse(file(entry('U8'), entry('X9')))
    expect(errorCodes(lastBad)).toEqual(['unknown-dtype'])
    expect(only(lastBad, 'unknown-dtype')).toEqual([{ code: 'unknown-dtype', tensor: 'a', dtype: 'X9' }])
  })

  it('duplicate-key inside a tensor entry and inside __metadata__, with a JSON pointer', () => {
    const file = rewriteHeaderText(sample(), (t) =>
      t
        .replace('"dtype":"I64"', '"dtype":"F64","dtype":"I64"')
        .replace('"format":"pt"', '"format":"tf","a/b~":"1","a/b~":"2","format":"pt"'),
    )
    const r = parse(file)
    expect(only(r, 'duplicate-key')).toEqual([
      { code: 'duplicate-key', key: 'a/b~', pointer: '/__metadata__' },
      { code: 'duplicate-key', key: 'format', pointer: '/__metadata__' },
      { code: 'duplicate-key', key: 'dtype', pointer: '/step' },
    ])
    expect(header(r).metadata!.format).toBe('pt')
    expect(header(r).tensors.find((t) => t.name === 'step')!.dtype).toBe('I64')

    const nested = parse(
      assembleSafetensors(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":[{"k":1,"k":2}]}}',
        new Uint8Array(1),
      ),
    )
    expect(only(nested, 'duplicate-key')).toEqual([{ code: 'duplicate-key', key: 'k', pointer: '/a/x/0' }])
    const twice = parse(
      rewriteHeaderText(sample(), (t) => t.replace('{', '{"__metadata__":{"format":"pt"},')),
    )
    expect(only(twice, 'duplicate-key')).toEqual([
      { code: 'duplicate-key', key: '__metadata__', pointer: '' },
    ])
  })

  it.each([
    ['a missing dtype', (e: any) => delete e.dtype, 'dtype', 'is missing'],
    ['a missing shape', (e: any) => delete e.shape, 'shape', 'is missing'],
    ['missing data_offsets', (e: any) => delete e.data_offsets, 'data_offsets', 'is missing'],
    ['a numeric dtype', (e: any) => (e.dtype = 7), 'dtype', 'is a number (7), not a string'],
    ['a shape that is a number', (e: any) => (e.shape = 4), 'shape', 'is a number (4), not an array'],
    ['a negative dimension', (e: any) => (e.shape = [4, -2]), 'shape', 'dimension 1 is -2'],
    ['a fractional dimension', (e: any) => (e.shape = [1.5]), 'shape', 'dimension 0 is 1.5, not an integer'],
    ['a string dimension', (e: any) => (e.shape = ['4']), 'shape', 'dimension 0 is a string'],
    ['data_offsets of 3 numbers', (e: any) => (e.data_offsets = [0, 8, 9]), 'data_offsets', 'has 3 elements'],
    ['data_offsets as an object', (e: any) => (e.data_offsets = { a: 0 }), 'data_offsets', 'is an object'],
    ['a negative offset', (e: any) => (e.data_offsets = [-8, 0]), 'data_offsets', 'begin is -8'],
    ['a null end offset', (e: any) => (e.data_offsets = [0, null]), 'data_offsets', 'end is null'],
  ])('invalid-tensor-entry: %s', (_name, edit, field, detail) => {
    const file = rewriteHeader(sample(), (h) => void edit(h['lm_head.weight']))
    const problems = only(parse(file), 'invalid-tensor-entry')
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ tensor: 'lm_head.weight', field })
    expect(problems[0].detail).toContain(detail)
  })

  it('invalid-tensor-entry: literals JSON.parse would round (exponents, -0, over 2^64−1)', () => {
    for (const [literal, detail] of [
      ['4e0', 'is 4e0, not an integer'],
      ['4.0', 'is 4.0, not an integer'],
      ['-0', 'is -0'],
      ['18446744073709551616', 'larger than 2^64−1'],
    ]) {
      const file = rewriteHeaderText(sample(), (t) => t.replace('"shape":[4,2]', `"shape":[${literal},2]`))
      expect(only(parse(file), 'invalid-tensor-entry')[0].detail).toContain(detail)
    }
  })

  it('invalid-tensor-entry: an entry that is not an object', () => {
    const r = parse(rewriteHeader(sample(), (h) => void (h['lm_head.weight'] = 'F32')))
    expect(only(r, 'invalid-tensor-entry')).toEqual([
      {
        code: 'invalid-tensor-entry',
        tensor: 'lm_head.weight',
        field: 'entry',
        detail: 'is a string, not an object',
      },
    ])
    // Its bytes now belong to nobody: the crate's InvalidOffset on the next tensor.
    expect(only(r, 'non-contiguous')).toMatchObject([
      { tensor: 'step', kind: 'gap', start: 54, expected: 38 },
    ])
  })

  it('tensor-entry-array: serde reads [dtype, shape, data_offsets] as the struct; other arrays are invalid', () => {
    const r = parse(rewriteHeader(sample(), (h) => void (h.step = ['I64', [], [54, 62]])))
    expect(only(r, 'tensor-entry-array')).toEqual([{ code: 'tensor-entry-array', tensor: 'step' }])
    expect(errorCodes(r)).toEqual([])
    expect(header(r).tensors.at(-1)).toEqual({ name: 'step', dtype: 'I64', shape: [], start: 54, end: 62 })
    const two = parse(rewriteHeader(sample(), (h) => void (h.step = ['I64', []])))
    expect(only(two, 'invalid-tensor-entry')[0].detail).toBe('is an array of 2 elements, not an object')
  })

  it('unknown-tensor-key: ignored by the crate, refused by the schema', () => {
    const r = parse(rewriteHeader(sample(), (h) => void (h.step.offsets = [0, 1])))
    expect(r.problems).toEqual([{ code: 'unknown-tensor-key', tensor: 'step', key: 'offsets' }])
  })

  it('unknown-dtype: case matters, and prototype names are not dtypes', () => {
    for (const dtype of ['F128', 'bf16', 'FP4', 'toString', '__proto__']) {
      const r = parse(rewriteHeader(sample(), (h) => void (h['model.norm.weight'].dtype = dtype)))
      expect(only(r, 'unknown-dtype')).toEqual([
        { code: 'unknown-dtype', tensor: 'model.norm.weight', dtype },
      ])
      // The entry is dropped from the tensor list, but its offsets still cover its bytes.
      expect(header(r).tensors.map((t) => t.name)).not.toContain('model.norm.weight')
      expect(errorCodes(r)).toEqual(['unknown-dtype'])
    }
  })
})

describe('parseSafetensorsHeader: __metadata__', () => {
  it('metadata-not-strings: every non-string value', () => {
    const r = parse(
      rewriteHeader(sample(), (h) => {
        h.__metadata__.total = 7
        h.__metadata__.nested = { a: '1' }
      }),
    )
    expect(only(r, 'metadata-not-strings')).toEqual([
      { code: 'metadata-not-strings', key: 'total', found: 'a number (7)' },
      { code: 'metadata-not-strings', key: 'nested', found: 'an object' },
    ])
    expect({ ...header(r).metadata }).toEqual({ format: 'pt' })
  })

  it('metadata-not-object, and null accepted as absent (serde Option)', () => {
    const r = parse(rewriteHeader(sample(), (h) => void (h.__metadata__ = ['pt'])))
    expect(only(r, 'metadata-not-object')).toEqual([{ code: 'metadata-not-object', found: 'an array' }])
    const none = parse(rewriteHeader(sample(), (h) => void (h.__metadata__ = null)))
    expect(codes(none)).toEqual(['metadata-format-missing'])
    expect(header(none).metadata).toBeNull()
  })

  it('metadata-format-missing: no __metadata__, or one without format (warnings)', () => {
    const absent = parse(makeSafetensors({ a: { dtype: 'F16', shape: [2] } }, null))
    expect(absent.problems).toEqual([{ code: 'metadata-format-missing', metadataPresent: false }])
    const noFormat = parse(makeSafetensors({ a: { dtype: 'F16', shape: [2] } }, { author: 'me' }))
    expect(noFormat.problems).toEqual([{ code: 'metadata-format-missing', metadataPresent: true }])
    expect(hasErrors(noFormat.problems)).toBe(false)
    expect(SAFETENSORS_PROBLEM_SEVERITY['metadata-format-missing']).toBe('warning')
  })

  it('metadata-format-unsupported: transformers 4.x accepts only pt, tf, flax, mlx', () => {
    for (const format of ['pt', 'tf', 'flax', 'mlx'])
      expect(parse(makeSafetensors({}, { format })).problems).toEqual([])
    expect(parse(makeSafetensors({}, { format: 'np' })).problems).toEqual([
      { code: 'metadata-format-unsupported', format: 'np' },
    ])
  })
})

describe('parseSafetensorsHeader: offsets and sizes (Metadata::validate)', () => {
  it('invalid-offsets: end before begin', () => {
    const r = parse(rewriteHeader(sample(), (h) => void (h.step.data_offsets = [62, 54])))
    expect(only(r, 'invalid-offsets')).toEqual([
      { code: 'invalid-offsets', tensor: 'step', start: 62, end: 54 },
    ])
    expect(header(r).tensors.map((t) => t.name)).not.toContain('step')
  })

  it('non-contiguous: a leading gap, a gap and an overlap', () => {
    const shifted = parse(
      rewriteHeader(sample(), (h) => {
        for (const [k, v] of Object.entries(h))
          if (k !== '__metadata__') v.data_offsets = v.data_offsets.map((o: number) => o + 4)
      }),
    )
    expect(only(shifted, 'non-contiguous')).toEqual([
      {
        code: 'non-contiguous',
        tensor: 'model.embed.weight',
        kind: 'leading-gap',
        start: 4,
        expected: 0,
        previous: null,
      },
    ])
    expect(codes(shifted)).toContain('data-past-eof')

    const gap = parse(
      rewriteHeader(sample(), (h) => {
        h.step.data_offsets = [56, 64]
      }),
    )
    expect(only(gap, 'non-contiguous')).toEqual([
      {
        code: 'non-contiguous',
        tensor: 'step',
        kind: 'gap',
        start: 56,
        expected: 54,
        previous: 'lm_head.weight',
      },
    ])

    // lm_head moved onto the first 16 bytes of the embedding: sorted by (begin, end) it comes first,
    // so the embedding overlaps it, and nothing covers lm_head's old bytes any more.
    const overlap = parse(rewriteHeader(sample(), (h) => void (h['lm_head.weight'].data_offsets = [0, 16])))
    expect(only(overlap, 'non-contiguous')).toEqual([
      {
        code: 'non-contiguous',
        tensor: 'model.embed.weight',
        kind: 'overlap',
        start: 0,
        expected: 16,
        previous: 'lm_head.weight',
      },
      {
        code: 'non-contiguous',
        tensor: 'step',
        kind: 'gap',
        start: 54,
        expected: 38,
        previous: 'model.norm.weight',
      },
    ])
  })

  it('non-contiguous: two tensors sharing the same bytes (tied weights written twice)', () => {
    const r = parse(
      rewriteHeader(sample(), (h) => {
        h.step = { dtype: 'F32', shape: [4], data_offsets: [38, 54] }
      }),
    )
    expect(only(r, 'non-contiguous')).toEqual([
      {
        code: 'non-contiguous',
        tensor: 'step',
        kind: 'overlap',
        start: 38,
        expected: 54,
        previous: 'lm_head.weight',
      },
    ])
    expect(codes(r)).toContain('file-size-mismatch')
  })

  it('size-overflow: the product of the shape or its bit count does not fit in u64', () => {
    const big = 2 ** 32
    const r = parse(rewriteHeader(sample(), (h) => void (h['lm_head.weight'].shape = [big, big, 2])))
    expect(only(r, 'size-overflow')).toEqual([
      { code: 'size-overflow', tensor: 'lm_head.weight', dtype: 'F32', shape: [big, big, 2] },
    ])
    // 2^62 elements fit, 2^62 × 32 bits do not.
    const bits = parse(rewriteHeader(sample(), (h) => void (h['lm_head.weight'].shape = [2 ** 31, 2 ** 31])))
    expect(codes(bits)).toContain('size-overflow')
    // The crate multiplies left to right with checked_mul: a 0 after an overflow does not save it.
    const late = rewriteHeaderText(sample(), (t) =>
      t.replace('"shape":[2,2]', '"shape":[1099511627776,1099511627776,0]'),
    )
    expect(codes(parse(late))).toContain('size-overflow')
    const early = rewriteHeaderText(sample(), (t) =>
      t.replace('"shape":[2,2]', '"shape":[0,1099511627776,1099511627776]'),
    )
    expect(only(parse(early), 'tensor-size-mismatch')).toMatchObject([{ expectedBytes: 0, actualBytes: 16 }])
  })

  it('subbyte-misaligned: a sub-byte dtype whose bits do not end on a byte (the builder rounds up)', () => {
    const odd = parse(
      makeSafetensors({ q: { dtype: 'F4', shape: [3] }, s: { dtype: 'F6_E2M3', shape: [3] } }),
    )
    expect(only(odd, 'subbyte-misaligned')).toEqual([
      { code: 'subbyte-misaligned', tensor: 'q', dtype: 'F4', shape: [3], elements: 3, bits: 4 },
      { code: 'subbyte-misaligned', tensor: 's', dtype: 'F6_E2M3', shape: [3], elements: 3, bits: 6 },
    ])
    expect(codes(odd)).not.toContain('tensor-size-mismatch')
    const even = parse(
      makeSafetensors({ q: { dtype: 'F4', shape: [2, 3] }, s: { dtype: 'F6_E3M2', shape: [4] } }),
    )
    expect(even.problems).toEqual([])
  })

  it('tensor-size-mismatch: the shape does not match the byte range', () => {
    const r = parse(rewriteHeader(sample(), (h) => void (h['lm_head.weight'].shape = [2, 3])))
    expect(r.problems).toEqual([
      {
        code: 'tensor-size-mismatch',
        tensor: 'lm_head.weight',
        dtype: 'F32',
        shape: [2, 3],
        expectedBytes: 24,
        actualBytes: 16,
      },
    ])
  })

  it('offsets beyond 2^53 are compared exactly', () => {
    const r = parse(
      rewriteHeaderText(sample(), (t) =>
        t.replace('"data_offsets":[54,62]', '"data_offsets":[9007199254740993,9007199254740993]'),
      ),
    )
    expect(only(r, 'non-contiguous')).toMatchObject([{ tensor: 'step', kind: 'gap' }])
    expect(codes(r)).toContain('tensor-size-mismatch')
    expect(codes(r)).toContain('data-past-eof')
  })

  it('data-past-eof: a truncated file', () => {
    const file = sample()
    const r = parse(file.subarray(0, file.length - 1))
    const n = splitSafetensors(file).header.length
    expect(r.problems).toEqual([
      {
        code: 'data-past-eof',
        headerLength: n,
        dataEnd: 62,
        expectedSize: file.length,
        fileSize: file.length - 1,
      },
    ])
  })

  it('file-size-mismatch: bytes after the last tensor', () => {
    const file = sample()
    const r = parse(Buffer.concat([file, Buffer.from('PK\u0003\u0004')]))
    expect(r.problems).toEqual([
      {
        code: 'file-size-mismatch',
        headerLength: splitSafetensors(file).header.length,
        dataEnd: 62,
        expectedSize: file.length,
        fileSize: file.length + 4,
        extraBytes: 4,
      },
    ])
  })

  it('reports every problem, not only the first as the crate does', () => {
    const r = parse(
      rewriteHeader(sample(), (h) => {
        h['model.norm.weight'].dtype = 'F12'
        h['lm_head.weight'].shape = [9]
        h.step.data_offsets = [60, 70]
      }),
    )
    expect(codes(r).sort()).toEqual([
      'data-past-eof',
      'non-contiguous',
      'tensor-size-mismatch',
      'tensor-size-mismatch',
      'unknown-dtype',
    ])
  })
})

// 100,000 tensors: __tests__/scale/safetensors.test.ts; parse time: bench/large-inputs.ts.

/** A source that records every range it is asked for. */
function countingSource(files: Record<string, Uint8Array>, shortBy = 0) {
  const inner = memorySource(files)
  const reads: [number, number][] = []
  const source: Source = {
    ...inner,
    async readRange(path, start, end) {
      reads.push([start, end])
      const bytes = await inner.readRange(path, start, end)
      return reads.length > 1 && shortBy ? bytes.subarray(0, bytes.length - shortBy) : bytes
    },
  }
  return { source, reads }
}

describe('readSafetensorsHeader', () => {
  it('reads once when the header fits in the first read', async () => {
    const file = sample()
    const { source, reads } = countingSource({ 'model.safetensors': file })
    const r = await readSafetensorsHeader(source, 'model.safetensors', file.length)
    expect(r.problems).toEqual([])
    expect(reads).toEqual([[0, file.length]])
  })

  it('reads the rest of a longer header once, and no tensor data', async () => {
    const file = sample()
    const n = splitSafetensors(file).header.length
    const { source, reads } = countingSource({ 'm.safetensors': file })
    const r = await readSafetensorsHeader(source, 'm.safetensors', file.length, 16)
    expect(header(r).tensors).toHaveLength(4)
    expect(reads).toEqual([
      [0, 16],
      [16, 8 + n],
    ])
  })

  it('refuses a header over the crate limit from its first read', async () => {
    const file = assembleSafetensors('{}', new Uint8Array(64), 2n ** 63n - 1n)
    const { source, reads } = countingSource({ 'm.safetensors': file })
    const r = await readSafetensorsHeader(source, 'm.safetensors', file.length, 16)
    expect(codes(r)).toEqual(['header-too-large'])
    expect(reads).toEqual([[0, 16]])
  })

  it('does not read a file shorter than the length prefix', async () => {
    const { source, reads } = countingSource({ 'm.safetensors': new Uint8Array(3) })
    expect(codes(await readSafetensorsHeader(source, 'm.safetensors', 3))).toEqual(['header-too-small'])
    expect(reads).toEqual([])
  })

  it('reads at least the length prefix, whatever firstRead says', async () => {
    const file = sample()
    const { source, reads } = countingSource({ 'm.safetensors': file })
    expect((await readSafetensorsHeader(source, 'm.safetensors', file.length, 0)).ok).toBe(true)
    expect(reads[0]).toEqual([0, 8])
    expect(reads).toHaveLength(2)
  })

  it('throws a SourceError when the file is shorter than the listing said', async () => {
    const file = sample()
    const { source } = countingSource({ 'm.safetensors': file }, 5)
    await expect(readSafetensorsHeader(source, 'm.safetensors', file.length, 16)).rejects.toThrow(SourceError)
  })
})

const CORPUS = CORPUS_ROOT

function corpusFiles(): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (name.endsWith('.safetensors')) found.push(p)
    }
  }
  if (existsSync(CORPUS)) walk(CORPUS)
  return found.sort()
}

describe('real files from the corpus', () => {
  const files = corpusFiles()
  if (files.length === 0) {
    it('is skipped: no corpus', () => {
      console.log(`${CORPUS} is absent or has no .safetensors files: corpus tests skipped`)
    })
    return
  }

  it.each(files.map((f) => [relative(CORPUS, f), f]))('%s', async (_name, path) => {
    const bytes = readFileSync(path)
    const r = parse(bytes)
    if (bytes.subarray(0, 8).toString('latin1') === 'version ') {
      expect(r.problems).toMatchObject([{ code: 'header-too-large', lfsPointer: true }])
      return
    }
    expect(errorCodes(r)).toEqual([])
    const h = header(r)
    expect(h.tensors.length).toBeGreaterThan(0)
    expect(8 + h.headerLength + h.dataEnd).toBe(bytes.length)
    // The same through the real local source, with a first read too short for the header.
    const dir = join(path, '..')
    const source = await openLocalSource(dir)
    const name = relative(dir, path)
    const viaSource = await readSafetensorsHeader(source, name, bytes.length, 64)
    expect(viaSource).toEqual(r)
  })
})

// ---------------------------------------------------------------------------------------------
// Properties

const dtypeArb = fc.constantFrom(...(Object.keys(DTYPE_BITS) as Dtype[]))

/** A shape whose element count is a whole number of bytes for its dtype, and small. */
const tensorArb = dtypeArb.chain((dtype) =>
  fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }).map((shape) => {
    const elements = shape.reduce((a, b) => a * b, 1)
    // Sub-byte dtypes need elements × bits to be a multiple of 8: add a dimension that makes it so.
    if ((elements * DTYPE_BITS[dtype]) % 8 !== 0) shape = [...shape, 8]
    return { dtype, shape }
  }),
)

const nameArb = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((n) => n !== '__metadata__' && n !== '__proto__')

const metadataArb = fc.option(
  fc.dictionary(
    fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
    fc.string({ maxLength: 8 }),
    { maxKeys: 4 },
  ),
  { nil: null },
)

const validFileArb = fc.record({
  tensors: fc.dictionary(nameArb, tensorArb, { maxKeys: 12 }),
  metadata: metadataArb,
})

/** Whatever the input, the result is one of the two shapes, with known codes. */
function wellFormed(r: SafetensorsParse): void {
  expect(typeof r.ok).toBe('boolean')
  for (const p of r.problems) expect(SAFETENSORS_PROBLEM_SEVERITY[p.code]).toBeDefined()
  if (r.ok) {
    for (let i = 1; i < r.header.tensors.length; i++)
      expect(r.header.tensors[i - 1].start).toBeLessThanOrEqual(r.header.tensors[i].start)
  } else if (r.needBytes !== undefined) {
    expect(r.needBytes).toBeLessThanOrEqual(8 + MAX_HEADER_LENGTH)
  }
}

describe('properties', () => {
  it('valid files built by the builder parse with no errors and round-trip', () => {
    fc.assert(
      fc.property(validFileArb, ({ tensors, metadata }) => {
        const file = makeSafetensors(tensors, metadata)
        const r = parse(file)
        expect(errorCodes(r)).toEqual([])
        const h = header(r)
        const byName = Object.fromEntries(h.tensors.map((t) => [t.name, t]))
        expect(Object.keys(byName).sort()).toEqual(Object.keys(tensors).sort())
        for (const [name, spec] of Object.entries(tensors)) {
          expect(byName[name].dtype).toBe(spec.dtype)
          expect(byName[name].shape).toEqual(spec.shape)
        }
        expect(h.metadata === null ? null : { ...h.metadata }).toEqual(metadata)
        expect(8 + h.headerLength + h.dataEnd).toBe(file.length)
      }),
      { numRuns: 300 },
    )
  })

  it('mutated and truncated valid files never throw', () => {
    const mutation = fc.record({
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      cut: fc.option(fc.nat()),
      claimedSize: fc.option(fc.nat({ max: 1 << 20 })),
    })
    fc.assert(
      fc.property(validFileArb, mutation, ({ tensors, metadata }, { flips, cut, claimedSize }) => {
        const file = Buffer.from(makeSafetensors(tensors, metadata))
        for (const [at, value] of flips) file[at % file.length] = value
        const bytes = cut === null ? file : file.subarray(0, cut % (file.length + 1))
        wellFormed(parse(bytes))
        wellFormed(parse(bytes, claimedSize ?? bytes.length))
      }),
      { numRuns: 1000 },
    )
  })

  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => wellFormed(parse(bytes))),
      { numRuns: 1000 },
    )
  })

  it('random headers behind a correct length prefix never throw', () => {
    const text = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.string({ unit: 'binary', maxLength: 64 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ t: v })),
    )
    fc.assert(
      fc.property(text, fc.uint8Array({ maxLength: 32 }), (t, data) =>
        wellFormed(parse(assembleSafetensors(t, data))),
      ),
      { numRuns: 1000 },
    )
  })

  it('accepts exactly the JSON that JSON.parse accepts (apart from lone surrogates, depth, infinities)', () => {
    const chars = fc.constantFrom(...'{}[],:"\\ 0123.-eEtrufalsn/ubx\t\n'.split(''))
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (text) => {
        let valid = true
        try {
          // serde_json refuses a number that overflows f64, where JSON.parse gives Infinity.
          JSON.parse(text, (_k, v: unknown) => {
            if (v === Infinity || v === -Infinity) throw new Error('out of range')
            return v
          })
        } catch {
          valid = false
        }
        const r = parse(assembleSafetensors(text))
        expect(codes(r).includes('invalid-json')).toBe(!valid)
      }),
      { numRuns: 3000 },
    )
  })
})

// Last in the file, so it runs after every other test (jest runs a file's tests in order).
describe('coverage of problem codes', () => {
  /** Codes only a file of scale-suite size produces, each asserted in __tests__/scale/safetensors.test.ts. */
  const SCALE_ONLY: SafetensorsProblemCode[] = ['header-over-hub-limit']

  it('every code of SAFETENSORS_PROBLEM_SEVERITY was produced by some test above, or by the scale suite', () => {
    expect(
      Object.keys(SAFETENSORS_PROBLEM_SEVERITY).filter(
        (c) => !seen.has(c as SafetensorsProblemCode) && !SCALE_ONLY.includes(c as SafetensorsProblemCode),
      ),
    ).toEqual([])
    expect(SCALE_ONLY.filter((c) => seen.has(c))).toEqual([])
  })
})
