import rule from '../../../src/rules/model/requires-remote-code.js'
import { configJson, ruleTester } from '../../helpers/rule-tester.js'

const DEEPSEEK_AUTO_MAP = {
  AutoConfig: 'configuration_deepseek.DeepseekV3Config',
  AutoModel: 'modeling_deepseek.DeepseekV3Model',
  AutoModelForCausalLM: 'modeling_deepseek.DeepseekV3ForCausalLM',
}

ruleTester(rule, {
  valid: [
    { name: 'no auto_map', files: { 'config.json': configJson() } },
    { name: 'an empty auto_map', files: { 'config.json': configJson({ auto_map: {} }) } },
    {
      name: 'auto_map that names no class',
      files: { 'config.json': configJson({ auto_map: { AutoConfig: null } }) },
    },
    {
      name: 'auto_map that is not an object',
      files: { 'config.json': configJson({ auto_map: 'modeling_x.X' }) },
    },
    { name: 'no config.json', files: {} },
    { name: 'config.json does not parse', files: { 'config.json': '{"auto_map": ' } },
  ],
  invalid: [
    {
      name: 'custom code for an architecture Friendli does not list (InternLM2)',
      files: {
        'config.json': configJson({
          architectures: ['InternLM2ForCausalLM'],
          auto_map: {
            AutoConfig: 'configuration_internlm2.InternLM2Config',
            AutoModelForCausalLM: 'modeling_internlm2.InternLM2ForCausalLM',
          },
        }),
      },
      errors: [
        {
          messageId: 'remoteCode',
          path: 'config.json',
          line: 7,
          column: 3,
          pointer: '/auto_map',
          message:
            'config.json has "auto_map" (AutoConfig → configuration_internlm2.InternLM2Config, AutoModelForCausalLM → modeling_internlm2.InternLM2ForCausalLM), so transformers loads this model only with trust_remote_code=True',
        },
      ],
    },
    {
      name: 'the architecture is named in the message and the hint',
      files: {
        'config.json': configJson({
          architectures: ['MiniCPMV'],
          auto_map: { AutoModel: 'modeling_minicpmv.MiniCPMV' },
        }),
      },
      errors: [
        {
          messageId: 'remoteCode',
          path: 'config.json',
          line: 7,
          column: 3,
          message: 'so MiniCPMV loads only if',
        },
      ],
    },
    {
      name: 'no architectures: the model in general',
      files: { 'config.json': '{\n  "model_type": "x",\n  "auto_map": {"AutoModel": "m.X"}\n}\n' },
      errors: [
        {
          messageId: 'remoteCode',
          path: 'config.json',
          line: 3,
          column: 3,
          message: 'so the model loads only if',
        },
      ],
    },
    {
      name: 'a reference into another repository, and a [slow, fast] pair',
      files: {
        'config.json': configJson({
          architectures: ['MyForCausalLM'],
          auto_map: {
            AutoModelForCausalLM: 'org/base--modeling_my.MyForCausalLM',
            AutoTokenizer: ['tokenization_my.MyTokenizer', null],
          },
        }),
      },
      errors: [
        {
          messageId: 'remoteCode',
          path: 'config.json',
          line: 7,
          column: 3,
          message:
            '(AutoModelForCausalLM → org/base--modeling_my.MyForCausalLM, AutoTokenizer → tokenization_my.MyTokenizer)',
        },
      ],
    },
    {
      name: 'DeepSeek-R1: custom code, but Friendli serves DeepseekV3ForCausalLM itself (info)',
      files: {
        'config.json': configJson({
          architectures: ['DeepseekV3ForCausalLM'],
          model_type: 'deepseek_v3',
          auto_map: DEEPSEEK_AUTO_MAP,
        }),
      },
      errors: [
        {
          messageId: 'nativeArchitecture',
          path: 'config.json',
          line: 7,
          column: 3,
          message:
            "but DeepseekV3ForCausalLM is an architecture Friendli serves with its own implementation, so the repository's Python code is not used",
        },
      ],
    },
    {
      name: 'an architecture the user added counts as served',
      files: {
        'config.json': configJson({ architectures: ['MyForCausalLM'], auto_map: { AutoModel: 'm.MyModel' } }),
      },
      extraArchitectures: ['MyForCausalLM'],
      errors: [{ messageId: 'nativeArchitecture', path: 'config.json', line: 7, column: 3 }],
    },
  ],
})
