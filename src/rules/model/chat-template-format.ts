import { defineModelRule } from '../model-rule.js'
import { listNames } from '../../common/wording.js'

export default defineModelRule({
  meta: {
    id: 'MR508',
    name: 'chat-template-format',
    description: 'Require "chat_template" to be a string or a list of named templates with a default',
    severity: 'error',
    artifacts: ['chatTemplates'],
    messages: {
      notTemplate: {
        text: (d: { found: string }) =>
          `"chat_template" is ${d.found}; it must be a string (the template) or a list of {"name", "template"} objects. transformers cannot use it, and no chat template is served.`,
        hint: () =>
          'Write the Jinja template as one JSON string (newlines as \\n), or as [{"name": "default", "template": "…"}].',
      },
      badEntry: {
        text: (d: { index: number; why: string }) =>
          `Entry ${d.index} of "chat_template" is not a named template: ${d.why}.`,
        hint: () => 'Each entry must be {"name": "…", "template": "…"} with both values strings.',
      },
      duplicate: {
        severity: 'warning',
        text: (d: { name: string }) =>
          `Two entries of "chat_template" are named "${d.name}": transformers keeps only the last one.`,
        hint: () => 'Give each template its own name, or delete the one that is not meant to be used.',
      },
      noDefault: {
        text: (d: { names: string; where: string }) =>
          `The chat templates in ${d.where} are named ${d.names}, but none is "default": transformers raises "This model has multiple chat templates with no default specified!" unless a caller names one, so plain chat requests get no template.`,
        hint: () =>
          'Name the template for ordinary chat "default" (and keep "tool_use" for the tool-calling one, as transformers expects).',
      },
      unreadable: {
        text: (d: { path: string; why: string }) =>
          `${d.path} cannot be used as a chat template: it is ${d.why}.`,
        hint: () => 'Replace it with the template as UTF-8 text.',
      },
      tooDeep: {
        // A warning: Friendli downloads only the files its FAQ lists, and chat_template.json is not one of
        // them; the processors that read it are not what Friendli's engine runs, so the evidence does not
        // say this blocks a deployment.
        severity: 'warning',
        text: (d: { path: string; reason: string }) =>
          `${d.path} ${d.reason}: transformers cannot load it (json raises RecursionError), and no chat template is read from it.`,
        hint: () =>
          'Write it again with json.dump ({"chat_template": "…"}), or move the template to chat_template.jinja.',
      },
    },
  },
  check({ artifacts: { chatTemplates }, report }) {
    for (const p of chatTemplates.problems) {
      if (p.kind === 'not-template') report('notTemplate', { found: p.found }, p.location)
      else if (p.kind === 'bad-entry') report('badEntry', { index: p.index, why: p.why }, p.location)
      else if (p.kind === 'duplicate-name') report('duplicate', { name: p.name }, p.location)
      else if (p.kind === 'no-default')
        report('noDefault', { names: listNames(p.names.map((n) => `"${n}"`)), where: p.where }, p.location)
      else if (p.kind === 'unreadable')
        report('unreadable', { path: p.location.path, why: p.why }, p.location)
      else if (p.kind === 'too-deep')
        report('tooDeep', { path: p.location.path, reason: p.reason }, p.location)
    }
  },
})
