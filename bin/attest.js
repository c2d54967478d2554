#!/usr/bin/env node
// The `attest` CLI; the compiled program lives in dist/ (built by `npm install` through the prepare script).
import '../dist/src/cli/attest-cli.js';
