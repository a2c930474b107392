// Writes a ZSTD Parquet fixture: run under Node 24 (node:zlib has zstdCompressSync there, not in 20), so
// the readers' ZSTD path is tested on Node 20 too. Usage: node24 --import tsx write-zstd-parquet.ts OUT ROWS
import { writeFileSync } from 'node:fs'
import { chatRows, messagesParquet } from './parquet.js'

const [out, rows] = process.argv.slice(2)
writeFileSync(out, messagesParquet(chatRows(Number(rows), 2, 200), { codec: 'ZSTD', rowGroupSize: 7 }))
