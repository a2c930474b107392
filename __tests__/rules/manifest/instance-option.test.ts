import rule from '../../../src/rules/manifest/instance-option.js'
import { createYaml, manifestRuleTester } from '../../helpers/manifest-tester.js'

manifestRuleTester(rule, {
  valid: [
    ...['ShbPuOs4tfGb', 'GUA4qYFmsYz8', 'ahBzWtOuomsI', 'drbc6G9FxJWZ', '8GiQTLKfJNOr'].map((id) => ({
      name: `instance option ${id}`,
      manifest: createYaml('', { instanceOptionId: id.startsWith('8') ? `"${id}"` : id }),
    })),
    { name: 'an update body that keeps its instance', manifest: 'name: x\n' },
  ],
  invalid: [
    {
      name: 'an id of the right shape that Friendli does not list',
      manifest: createYaml('', { instanceOptionId: 'AbCdEfGhIjKl' }),
      errors: [
        {
          messageId: 'unknown',
          line: 3,
          column: 1,
          message:
            'instanceOptionId is "AbCdEfGhIjKl", which is not one of Friendli\'s 16 instance options: A100 80GB: 1× ShbPuOs4tfGb, 2× mrAHuYt7T40o, 4× JkNob0NMdoF3, 8× sYH4kHmAcA5P; H100 80GB: 1× TwD5AqnBSVN0',
        },
      ],
    },
    {
      name: 'a near miss: the id it is near',
      manifest: createYaml('', { instanceOptionId: 'TwD5AqnBSVNO' }),
      errors: [{ messageId: 'unknown', line: 3, message: '(did you mean TwD5AqnBSVN0?)' }],
    },
    {
      name: 'the wrong case',
      manifest: createYaml('', { instanceOptionId: 'twd5aqnbsvn0' }),
      errors: [{ messageId: 'unknown', line: 3, message: '(did you mean TwD5AqnBSVN0?)' }],
    },
    {
      name: 'a GPU name instead of an id',
      manifest: createYaml('', { instanceOptionId: '1x H100' }),
      errors: [
        {
          messageId: 'unknown',
          line: 3,
          message: 'B200: 1× 8GiQTLKfJNOr, 2× brTZGIuYgVrs, 4× AFoZMFXZnAdD, 8× drbc6G9FxJWZ.',
        },
      ],
    },
  ],
})
