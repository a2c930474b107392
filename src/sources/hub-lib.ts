// @huggingface/hub through its self-contained CommonJS build. Its ESM build loads parts lazily, which
// ncc splits into chunk files (and then --license lists one package); a bare-specifier require is left
// to run time and fails outside the repo. Every runtime use of the library goes through this file, so
// `instanceof` checks never meet a second copy of its classes.
import * as hub from '../../node_modules/@huggingface/hub/dist/index.js'

export const { modelInfo, datasetInfo, listFiles } = hub
