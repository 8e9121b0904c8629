// Writes what is generated from the schema constant in
// src/platform/definition/schema.ts (run: npm run schema):
// - schema/platform.schema.json, the shipped JSON Schema editors use;
// - src/platform/definition/platform-validator.generated.ts, the schema
//   compiled by Ajv ahead of time, which loadPlatform uses.
// Tests check that the committed files equal what this writes.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { platformSchemaJson } from '../src/platform/definition/schema.js';
import { platformValidatorSource } from '../src/platform/definition/validator-source.js';

const outputs: [URL, string][] = [
  [new URL('../schema/platform.schema.json', import.meta.url), platformSchemaJson()],
  [new URL('../src/platform/definition/platform-validator.generated.ts', import.meta.url), platformValidatorSource()],
];
for (const [url, text] of outputs) {
  const target = fileURLToPath(url);
  await writeFile(target, text);
  console.log(`wrote ${target}`);
}
