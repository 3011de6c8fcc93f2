import pkg from '../package.json' with { type: 'json' };

/** The `@nerima/cli` version (bundled into dist/main.js at build time). */
export const VERSION: string = pkg.version;
