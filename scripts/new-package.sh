#!/usr/bin/env bash
# Scaffolds packages/<name> with our package.json/tsup/tsconfig conventions. Usage: new-package.sh name "description"
set -euo pipefail
name=$1; desc=$2; dir=packages/$name
mkdir -p "$dir/src"
cat > "$dir/package.json" <<JSON
{
  "name": "@nerima/$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "Apache-2.0",
  "type": "module",
  "sideEffects": false,
  "files": ["dist", "README.md"],
  "engines": { "node": ">=20.19" },
  "exports": {
    ".": {
      "@nerima/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "import": "./dist/index.js",
      "require": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "publishConfig": { "access": "public" },
  "repository": { "type": "git", "url": "git+https://github.com/nerima-nlp/nerima.git", "directory": "$dir" },
  "scripts": {
    "build": "tsup",
    "typecheck": "tsc -p tsconfig.json"
  },
  "dependencies": {},
  "devDependencies": {
    "@nerima/tsconfig": "workspace:*",
    "@nerima/tsup-config": "workspace:*"
  }
}
JSON
cat > "$dir/tsup.config.ts" <<'TS'
import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

export default defineConfig(preset());
TS
cat > "$dir/tsconfig.json" <<'JSON'
{
  "extends": "@nerima/tsconfig/base.json",
  "include": ["src"]
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
