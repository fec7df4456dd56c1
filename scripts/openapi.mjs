#!/usr/bin/env node
// Writes docs/openapi.json, the OpenAPI document of the HTTP API, from @hookline/api's route table
// and schemas (its dist/: `npm run openapi` builds it first). The producer serves the same document
// at GET /openapi.json; packages/api/src/openapi.test.ts fails when this copy falls behind.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'docs', 'openapi.json');
const { openApiDocument } = createRequire(import.meta.url)('@hookline/api');

// Formatted as `npm run format` would, so that formatting the repository changes nothing here.
const options = { ...(await prettier.resolveConfig(file)), filepath: file };
const text = await prettier.format(JSON.stringify(openApiDocument()), options);
let before = '';
try {
  before = readFileSync(file, 'utf8');
} catch {
  // no copy yet
}
writeFileSync(file, text);
console.log(`${path.relative(root, file)}: ${before === text ? 'unchanged' : 'written'}`);
