import { defineModelRule } from '../model-rule.js'
import { listNames, plural } from '../../common/wording.js'
import { whyNotReadable } from '../../sources/readable.js'

export default defineModelRule({
  meta: {
    id: 'MR105',
    name: 'link-outside-model',
    description: 'Disallow symbolic links that leave the model folder or lead nowhere',
    severity: 'error',
    artifacts: ['files'],
    appliesTo: ['model', 'adapter'],
    messages: {
      outside: {
        text: (d: { names: string[] }) =>
          `${plural(d.names.length, 'file is a link', 'files are links')} to a place outside the model folder and ${d.names.length === 1 ? 'was' : 'were'} not read: ${listNames(d.names)}.`,
        hint: () =>
          'Replace each link with the real file. A link is stored in git as a short text file holding its target, so the Hub and Friendli would get that text instead of the file.',
      },
      broken: {
        text: (d: { names: string[] }) =>
          `${plural(d.names.length, 'file is a broken link', 'files are broken links')}: ${listNames(d.names)}.`,
        hint: () => 'Replace each link with the real file, or delete it.',
      },
    },
  },
  check({ artifacts: { files }, report }) {
    const outside = files.entries.filter((e) => whyNotReadable(e) === 'link-outside').map((e) => e.path)
    const broken = files.entries.filter((e) => whyNotReadable(e) === 'link-broken').map((e) => e.path)
    if (outside.length > 0)
      report('outside', { names: outside }, { path: outside.length === 1 ? outside[0] : '.' })
    if (broken.length > 0)
      report('broken', { names: broken }, { path: broken.length === 1 ? broken[0] : '.' })
  },
})
