#!/usr/bin/env node
import { removeTemporariesOnInterrupt } from '../kube/index.js';
import { run } from './program.js';
import { processIo } from './common.js';

const argv = process.argv.slice(2);
// kaji webhook shuts down gracefully on SIGTERM and SIGINT by itself. The first
// argument that is not an option is the command (kaji's own options take no value).
if (argv.find((argument) => !argument.startsWith('-')) !== 'webhook') removeTemporariesOnInterrupt();
process.exitCode = await run(argv, processIo());
