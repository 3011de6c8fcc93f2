import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

export default defineConfig(preset());
