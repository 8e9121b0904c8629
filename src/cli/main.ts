#!/usr/bin/env node
import { run } from './program.js';
import { processIo } from './common.js';

process.exitCode = await run(process.argv.slice(2), processIo());
