#!/usr/bin/env node
// The CLI entry. The bundle decides between the CLI and the Action by this file's name.
await import('../dist/index.js');
