import rule from '../../../src/rules/model/unsupported-architecture.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

ruleTester(rule, {
  valid: [
    { name: 'a listed architecture', files: { 'config.json': configJson() } },
    {
      name: 'only the first entry counts',
      files: { 'config.json': configJson({ architectures: ['Qwen2ForCausalLM', 'Unknown'] }) },
    },
    {
      name: 'an architecture added by the user',
      files: { 'config.json': configJson({ architectures: ['MyForCausalLM'] }) },
      extraArchitectures: ['MyForCausalLM'],
    },
    { name: 'no config.json: other rules report it', files: {} },
    {
      name: 'architectures malformed: missing-architectures reports it',
      files: { 'config.json': configJson({ architectures: 'LlamaForCausalLM' }) },
    },
  ],
  invalid: [
    {
      name: 'an unknown architecture, on the line of /architectures/0',
      files: { 'config.json': configJson({ architectures: ['RwkvForCausalLM'] }) },
      errors: [
        {
          messageId: 'unsupported',
          path: 'config.json',
          line: 3,
          column: 5,
          pointer: '/architectures/0',
          message: 'RwkvForCausalLM',
        },
      ],
    },
    {
      name: 'a case typo gets a suggestion',
      files: { 'config.json': '{"model_type": "llama",\n "architectures": ["LLamaForCausalLm"]}' },
      errors: [
        {
          messageId: 'unsupported',
          path: 'config.json',
          line: 2,
          column: 20,
          message: 'did you mean LlamaForCausalLM?',
        },
      ],
    },
    {
      name: 'the user can lower the severity',
      files: { 'config.json': configJson({ architectures: ['RwkvForCausalLM'] }) },
      level: 'warning',
      errors: [{ messageId: 'unsupported', path: 'config.json', line: 3, column: 5, severity: 'warning' }],
    },
  ],
})
