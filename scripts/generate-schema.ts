// Writes schema/platform.schema.json from the schema constant in
// src/platform/definition/schema.ts (run: npm run schema). A test checks that
// the committed file equals what this writes.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { platformSchemaJson } from '../src/platform/definition/schema.js';

const target = fileURLToPath(new URL('../schema/platform.schema.json', import.meta.url));
await writeFile(target, platformSchemaJson());
console.log(`wrote ${target}`);
