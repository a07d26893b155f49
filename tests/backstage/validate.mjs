// Backstage's own checks, offline, for tests/test_backstage.py.
//
//   node validate.mjs entities FILE...   every YAML document of each file, as the catalog
//       checks an entity it reads: $text placeholders replaced by the file they name (relative
//       to the YAML file, as the catalog's placeholder processor reads them), its entity
//       policies, then the kind's validator (Component, API and the scaffolder's Template).
//       Prints "ok kind:name" per entity; exits 1 on error.
//   node validate.mjs parameters TEMPLATE < answers.json   for each answer set (a JSON list of
//       objects), whether every parameter step of the template accepts it, with the form's
//       validator (ajv 8, as @rjsf/validator-ajv8) and the scaffolder backend's (jsonschema).
//       Prints a JSON list of {ajv, jsonschema, errors}.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import Ajv from 'ajv';
import { Validator } from 'jsonschema';
import { parseAllDocuments } from 'yaml';

// The catalog's default policies, in its order.
const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const kindValidators = [
  componentEntityV1alpha1Validator,
  apiEntityV1alpha1Validator,
  templateEntityV1beta3Validator,
];

function readYaml(file) {
  return parseAllDocuments(readFileSync(file, 'utf8')).map(document => {
    if (document.errors.length) throw new Error(`${file}: ${document.errors.join('; ')}`);
    return document.toJS();
  });
}

// { $text: path } becomes that file's text (the only placeholder catalog-info.yaml uses).
function substitute(value, directory) {
  if (Array.isArray(value)) return value.map(item => substitute(item, directory));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$text') {
    return readFileSync(resolve(directory, value.$text), 'utf8');
  }
  return Object.fromEntries(keys.map(key => [key, substitute(value[key], directory)]));
}

async function checkEntities(files) {
  for (const file of files) {
    for (const entity of readYaml(file)) {
      const checked = await policy.enforce(substitute(entity, dirname(file)));
      const known = [];
      for (const validator of kindValidators) {
        known.push(await validator.check(checked)); // throws when the kind's rules are broken
      }
      if (!known.includes(true)) throw new Error(`${file}: no validator knows kind ${entity.kind}`);
      console.log(`ok ${checked.kind}:${checked.metadata.name} (${file})`);
    }
  }
}

function checkParameters(templateFile) {
  const [template] = readYaml(templateFile);
  const steps = [template.spec.parameters].flat();
  // The form's settings (non-standard "ui:" keys and enumNames are not errors).
  const ajv = new Ajv({ allErrors: true, strict: false });
  const formSteps = steps.map(step => ajv.compile(step));
  const backend = new Validator();
  const answers = JSON.parse(readFileSync(0, 'utf8'));
  const verdicts = answers.map(values => {
    const errors = [];
    const byForm = formSteps.every(validate => validate(values) || !errors.push(ajv.errorsText(validate.errors)));
    const byBackend = steps.every(step => {
      const result = backend.validate(values, step);
      errors.push(...result.errors.map(String));
      return result.valid;
    });
    return { ajv: byForm, jsonschema: byBackend, errors };
  });
  console.log(JSON.stringify(verdicts));
}

const [mode, ...args] = process.argv.slice(2);
try {
  if (mode === 'entities') await checkEntities(args);
  else if (mode === 'parameters') checkParameters(args[0]);
  else throw new Error('usage: validate.mjs entities FILE... | parameters TEMPLATE');
} catch (error) {
  console.error(`invalid: ${error.message}`);
  process.exit(1);
}
