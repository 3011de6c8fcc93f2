import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

// Two entries: the library (`createServer`, `serve`) and the `nerima-server` executable.
export default defineConfig(preset({ entry: ['src/index.ts', 'src/main.ts'] }));
