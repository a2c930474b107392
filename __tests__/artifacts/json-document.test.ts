import { describe, expect, it } from '@jest/globals'
import { parseJsonDocument, pointerSegments } from '../../src/artifacts/json-document.js'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('parseJsonDocument', () => {
  const text = '{\n  "architectures": [\n    "LlamaForCausalLM"\n  ],\n  "a/b": {"c~d": 1},\n  "é": "x"\n}\n'
  const parsed = parseJsonDocument('config.json', bytes(text))
  if (!parsed.ok) throw new Error('fixture must parse')
  const { doc } = parsed

  it.each([
    ['', 1, 1],
    ['/architectures', 2, 3],
    ['/architectures/0', 3, 5],
    ['/a~1b', 5, 3],
    ['/a~1b/c~0d', 5, 11],
    ['/é', 6, 3],
  ])('locates %s at line %i, column %i', (pointer, line, column) => {
    expect(doc.locate(pointer)).toEqual({ line, column })
  })

  it('locates the last of duplicate keys, the one Python and JSON.parse keep', () => {
    const dup = parseJsonDocument('c.json', bytes('{"architectures": ["X"],\n "architectures": 5}'))
    expect(dup.ok && dup.doc.locate('/architectures')).toEqual({ line: 2, column: 2 })
  })

  it('returns undefined for a pointer that is not there', () => {
    expect(doc.locate('/nope')).toBeUndefined()
    expect(doc.locate('/architectures/5')).toBeUndefined()
  })

  it.each([
    [
      '{"a": 1,}',
      { kind: 'syntax', detail: 'a property name in double quotes is expected', at: { line: 1, column: 9 } },
    ],
    [
      '{"a": 1 // c\n}',
      { kind: 'syntax', detail: 'comments are not allowed in JSON', at: { line: 1, column: 9 } },
    ],
    ['{"a": nan}', { kind: 'syntax', detail: 'unexpected character', at: { line: 1, column: 7 } }],
    ['{\n"a": [1, 2\n}', { kind: 'syntax', detail: 'a comma is expected', at: { line: 3, column: 1 } }],
    ['"just a string"', { kind: 'not-object', found: 'a string', at: { line: 1, column: 1 } }],
    ['  \n\t', { kind: 'empty' }],
  ])('reports %j with its position', (input, problem) => {
    expect(parseJsonDocument('x.json', bytes(input))).toEqual({ ok: false, problem })
  })

  it('points at the first invalid UTF-8 byte, counting characters before it', () => {
    const b = Buffer.concat([Buffer.from('{\n "é": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])
    expect(parseJsonDocument('x.json', b)).toEqual({
      ok: false,
      problem: { kind: 'encoding', at: { line: 2, column: 8 } },
    })
  })

  it.each([
    [[0xed, 0xa0, 0x80], 'an encoded surrogate'],
    [[0xc0, 0xaf], 'an overlong encoding'],
    [[0xf4, 0x90, 0x80, 0x80], 'a code point above U+10FFFF'],
    [[0xe2, 0x82], 'a truncated sequence'],
  ])('rejects %j (%s) as invalid UTF-8', (seq) => {
    const r = parseJsonDocument(
      'x.json',
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from(seq), Buffer.from('"}')]),
    )
    expect(r).toMatchObject({ ok: false, problem: { kind: 'encoding' } })
  })

  it("accepts NaN and ±Infinity as Python's json does, and keeps positions", () => {
    const r = parseJsonDocument('c.json', bytes('{"a": NaN,\n "b": -Infinity, "c": "NaN", "d": Infinity}'))
    if (!r.ok) throw new Error('must parse')
    expect(r.doc.value).toEqual({ a: null, b: -Infinity, c: 'NaN', d: Infinity })
    expect(r.doc.locate('/a')).toEqual({ line: 1, column: 2 })
    expect(r.doc.locate('/b')).toEqual({ line: 2, column: 2 })
    expect(r.doc.locate('/d')).toEqual({ line: 2, column: 30 })
  })

  it('splits pointers per RFC 6901', () => {
    expect(pointerSegments('/a~1b/0/c~0d/01')).toEqual(['a/b', 0, 'c~d', '01'])
  })
})
