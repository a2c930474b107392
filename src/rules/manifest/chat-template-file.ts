import { MiB } from '../../artifacts/json-file.js'
import { defineManifestRule } from '../manifest-rule.js'
import { quote, stringAt, where } from '../utils/manifest.js'

const POINTER = '/chatTemplate'
const KEEP =
  'Keep the template in the repository, beside the manifest (e.g. chatTemplate: chat-template.jinja), as the UTF-8 Jinja text you paste into Friendli Suite.'

export default defineManifestRule({
  meta: {
    id: 'EP501',
    name: 'chat-template-file',
    description:
      'Require the chat template file a manifest names (chatTemplate) to be a Jinja text file inside the repository',
    severity: 'error',
    reads: ['body', 'template'],
    messages: {
      empty: {
        text: () => 'chatTemplate is empty: it names no template file.',
        hint: () => `Remove chatTemplate to serve the model's own template, or name the file. ${KEEP}`,
      },
      absolute: {
        text: (d: { value: string }) =>
          `chatTemplate is ${d.value}, an absolute path (or one with a drive or backslashes): it names no file of the repository, so it was not read.`,
        hint: () => `Write the path relative to the manifest's folder, with "/" between folders. ${KEEP}`,
      },
      outside: {
        text: (d: { value: string; how: string }) =>
          `chatTemplate is ${d.value}, which ${d.how} outside the repository, so it was not read: only files of the checked-out repository are.`,
        hint: () => KEEP,
      },
      missing: {
        text: (d: { value: string; path: string }) =>
          `chatTemplate is ${d.value}, but ${d.path} does not exist beside the manifest: there is no template to set on the endpoint.`,
        hint: () =>
          `Commit the template file, or correct the path (relative to the manifest's folder). ${KEEP}`,
      },
      notFile: {
        text: (d: { value: string; path: string }) =>
          `chatTemplate is ${d.value}, but ${d.path} is not a regular file (a folder?): it holds no template.`,
        hint: () => KEEP,
      },
      tooLarge: {
        text: (d: { value: string; path: string; size: string; limit: string }) =>
          `chatTemplate is ${d.value}, but ${d.path} is ${d.size}, more than the ${d.limit} a chat template file is read up to: it was not read. Real chat templates are under 64 KB.`,
        hint: () =>
          'Name the Jinja template itself; if it embeds data (examples, long prompts), move that out of it.',
      },
      binary: {
        text: (d: { value: string; path: string; why: string }) =>
          `chatTemplate is ${d.value}, but ${d.path} is ${d.why}: a chat template is Jinja text, so it was not checked as one.`,
        hint: () => 'Name the .jinja file itself, saved as UTF-8 text.',
      },
      emptyFile: {
        text: (d: { value: string; path: string }) =>
          `chatTemplate is ${d.value}, but ${d.path} is empty: set as the endpoint's template it would render every conversation as nothing.`,
        hint: () => `Write the template into the file, or remove chatTemplate to serve the model's own.`,
      },
    },
  },
  check({ manifest, template, report }) {
    if (!manifest) return
    const value = stringAt(manifest, POINTER)
    if (value === undefined) return
    const at = where(manifest.doc, POINTER)
    const quoted = quote(value)
    if (value.trim() === '') return report('empty', {}, at)
    if (!template) return
    switch (template.state) {
      case 'absolute':
        return report('absolute', { value: quoted }, at)
      case 'outside':
        return report(
          'outside',
          { value: quoted, how: template.link ? 'is a link that leads' : 'leads (by "..")' },
          at,
        )
      case 'missing':
        return report('missing', { value: quoted, path: quote(template.path) }, at)
      case 'not-file':
        return report('notFile', { value: quoted, path: quote(template.path) }, at)
      case 'too-large':
        return report(
          'tooLarge',
          {
            value: quoted,
            path: quote(template.path),
            size: `${(template.bytes / MiB).toFixed(1)} MiB`,
            limit: `${template.limit / MiB} MiB`,
          },
          at,
        )
      case 'binary':
        return report('binary', { value: quoted, path: quote(template.path), why: template.why }, at)
      case 'read':
        if (template.text.trim() === '')
          report('emptyFile', { value: quoted, path: quote(template.path) }, at)
    }
  },
})
