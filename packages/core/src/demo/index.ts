export { DEMO_TYPE_INFO, type DemoCorpus, type DemoCorpusOptions, generateDemoCorpus } from './corpus.js';
export { DEMO_TYPES } from './generators.js';
