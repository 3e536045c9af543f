#!/usr/bin/env node
// Installs dependencies when a fresh clone (or a changed lock file) needs them, so that
// `npm start` and `npm test` work with nothing but Node 20 and npm.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const sqliteBinding = path.join(root, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale || !existsSync(sqliteBinding)) {
  process.stderr.write('Installing dependencies (npm ci; sqlite3 compiles from source, about a minute)...\n');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
