// The shared corpus of real model and dataset files, beside the checkout as ../shared/corpus (CI puts
// it there). Tests that read it skip with a printed note when it is absent.
import path from 'node:path'

export const CORPUS_ROOT = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus')
