// Parquet files whose footer says what a hostile writer wants: a real file from messagesParquet, its
// footer parsed by hyparquet, changed, and written back with hyparquet-writer's own footer writer.
import { parquetMetadata, type FileMetaData } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writeMetadata } from 'hyparquet-writer/src/metadata.js'

/** `bytes` with its footer replaced by `change(footer)`'s, every page left as it is. */
export function rewriteFooter(
  bytes: Uint8Array,
  change: (footer: FileMetaData) => FileMetaData | void,
): Uint8Array {
  const copy = bytes.slice()
  const footer = parquetMetadata(copy.buffer)
  const metadataLength = new DataView(copy.buffer).getUint32(copy.length - 8, true)
  const dataEnd = copy.length - 8 - metadataLength
  const changed = change(footer) ?? footer
  const writer = new ByteWriter()
  writeMetadata(writer, changed)
  const meta = new Uint8Array(writer.getBuffer())
  const out = new Uint8Array(dataEnd + meta.length + 8)
  out.set(copy.subarray(0, dataEnd))
  out.set(meta, dataEnd)
  const view = new DataView(out.buffer)
  view.setUint32(dataEnd + meta.length, meta.length, true)
  out.set(new TextEncoder().encode('PAR1'), dataEnd + meta.length + 4)
  return out
}
