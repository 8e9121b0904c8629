#!/usr/bin/env node
import { removeTemporariesOnInterrupt } from '../kube/index.js';
import { run } from './program.js';
import { processIo } from './common.js';

const argv = process.argv.slice(2);
// The servers (kaji webhook, kaji dashboard --serve) shut down gracefully on
// SIGTERM and SIGINT by themselves. The first argument that is not an option is
// the command (kaji's own options take no value).
const command = argv.find((argument) => !argument.startsWith('-'));
const servesUntilSignalled = command === 'webhook' || (command === 'dashboard' && argv.includes('--serve'));
if (!servesUntilSignalled) removeTemporariesOnInterrupt();
process.exitCode = await run(argv, processIo());
