import { stat } from 'node:fs/promises';
import {
  type AugmentReport,
  augment,
  createContextChange,
  createMentionSwap,
  type FilterOptions,
  type Generator,
  KB_TYPE_MAP,
  loadKbLexicon,
  loadParaphrase,
  type MentionLexicon,
} from '@nerima/augment';
import { type BackendRequest, initBackend, type Tagger, writeJsonAtomic, writeJsonl } from '@nerima/core';
import { LexiconLearner } from '@nerima/eval';
import { getFlag, getInt, getList, getString, requireString, userPath } from '../args.js';
import { defineCommand, type OptionValues } from '../command.js';
import { readDatasetFile, readTypesFile } from '../data.js';
import { asInputError, CliError, DataError, EXIT, UsageError } from '../errors.js';

const GENERATORS = ['swap', 'context', 'paraphrase'] as const;
const STAGES = ['confidence', 'consistency', 'similarity'] as const;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function getNumber(values: OptionValues, name: string, fallback: number): number {
  const raw = getString(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`--${name} must be a number between 0 and 1, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** `ORGANIZATION=OTHER_ORG,LANGUAGE=PRODUCT` → a map added to the one-to-one defaults. */
function parseKbMap(items: readonly string[]): Record<string, string> {
  const map: Record<string, string> = { ...KB_TYPE_MAP };
  for (const item of items) {
    const m = /^([A-Za-z_]+)=([A-Za-z_]+)$/.exec(item);
    if (!m)
      throw new UsageError(
        `--kb-map items look like KBTYPE=TYPE (e.g. ORGANIZATION=OTHER_ORG), got ${JSON.stringify(item)}`,
      );
    map[m[1]!] = m[2]!;
  }
  return map;
}

/** `lexicon:<file>` → a LexiconLearner adapted on that file; a folder → a saved span tagger. */
async function loadTagger(
  spec: string,
  cwd: { cwd: string },
  backend: string | undefined,
  kbPath: string | undefined,
): Promise<{ tagger: Tagger; description: string }> {
  if (spec.startsWith('lexicon:')) {
    const file = userPath(cwd, spec.slice('lexicon:'.length));
    if (file === '') throw new UsageError('--tagger lexicon:<train.jsonl> needs a file after lexicon:');
    const ds = await readDatasetFile(file);
    const tagger = await new LexiconLearner({ allowNested: true }).adapt(ds.sentences);
    return { tagger, description: `lexicon baseline adapted on ${file} (${ds.sentences.length} sentences)` };
  }
  const folder = userPath(cwd, spec);
  if (!(await exists(folder)))
    throw new DataError(`--tagger ${spec}: no such folder (or use lexicon:<train.jsonl>)`);
  // Loaded only when asked for, through a specifier the bundler and tsc leave alone: the CLI does not
  // depend on @nerima/span-decoder (a tfjs model) unless it is installed next to it.
  const specifier = '@nerima/span-decoder';
  let mod: { loadSpanTagger?: (o: { from: string; gazetteer?: { kbPath: string } }) => Promise<Tagger> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new UsageError(
      `--tagger ${spec}: loading a saved span tagger needs @nerima/span-decoder, which cannot be loaded here ` +
        `(${(err as Error).message.split('\n')[0]}); use --tagger lexicon:<train.jsonl> instead`,
    );
  }
  if (typeof mod.loadSpanTagger !== 'function') {
    throw new UsageError(
      `--tagger ${spec}: this @nerima/span-decoder has no loadSpanTagger; use --tagger lexicon:<train.jsonl>`,
    );
  }
  try {
    await initBackend(backend ? { backend: backend as BackendRequest } : {});
    return {
      tagger: await mod.loadSpanTagger({ from: folder, ...(kbPath ? { gazetteer: { kbPath } } : {}) }),
      description: `span tagger from ${folder}`,
    };
  } catch (err) {
    throw new DataError(
      `--tagger ${spec}: ${(err as Error).message}${kbPath ? '' : ' (a tagger trained with gazetteer features needs --kb)'}`,
      [],
      { cause: err },
    );
  }
}

function summary(report: AugmentReport, out: string, tagger: string | undefined): string {
  const lines = [
    `augmented ${report.inputSentences} sentences (seed ${report.seed}, ${report.perSentence} per sentence per generator): ` +
      `${report.generated} generated, ${report.kept} kept → ${out}`,
    `  filter tagger: ${tagger ?? 'none (confidence and agreement stages not run)'}`,
    '',
    '  generator    generated   kept  dropped by stage / skipped sentences',
  ];
  for (const [name, g] of Object.entries(report.generators)) {
    const drops = Object.entries(g.droppedByStage).map(([s, n]) => `${s} ${n}`);
    const skips = Object.entries(g.skipped).map(([s, n]) => `${s} ${n}`);
    lines.push(
      `  ${name.padEnd(11)}  ${String(g.generated).padStart(9)}  ${String(g.kept).padStart(5)}  ${
        g.available
          ? [drops.join(', ') || '-', skips.length ? `skipped: ${skips.join(', ')}` : '']
              .filter(Boolean)
              .join('; ')
          : 'unavailable'
      }`,
    );
  }
  lines.push('', '  stage        input   kept  reasons');
  for (const s of report.stages) {
    const reasons = Object.entries(s.reasons)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    lines.push(
      `  ${s.stage.padEnd(11)}  ${String(s.input).padStart(5)}  ${String(s.kept).padStart(5)}  ${s.enabled ? reasons || '-' : `(${s.note})`}`,
    );
  }
  return lines.join('\n');
}

export const augmentCommand = defineCommand({
  name: 'augment',
  summary:
    'make new labelled sentences (mention swap, context change, paraphrase) through a three-stage filter',
  description: `Reads a JSONL dataset and generates new labelled sentences from each sentence: mention swap
(other mentions of the same type from the file and, with --kb, the knowledge base), context change
(the sentence's mentions in other sentences' contexts) and, with --paraphrase or --back-translate,
paraphrase by a seq2seq model with entities protected by placeholders. Candidates then pass a filter:
a structure check (offsets match the text; always on), (1) the separate tagger's confidence in the
claimed entities, (2) the tagger's agreement on their boundaries and types, (3) similarity (drop
near-duplicates and rewrites that drift). Stages 1-2 need --tagger: a tagger trained apart from the
model the data is for. Writes the input sentences plus the kept ones (or only the new ones with
--only-new), and a JSON report with counts per generator and stage and examples of dropped rewrites.
Deterministic per --seed.`,
  options: {
    in: { type: 'string', short: 'i', valueName: '<jsonl>', description: 'input dataset (JSONL)' },
    out: {
      type: 'string',
      short: 'o',
      valueName: '<jsonl>',
      description: 'output dataset (JSONL), written atomically',
    },
    report: {
      type: 'string',
      valueName: '<json>',
      description: 'write the full report (counts, reasons, examples) here',
    },
    types: { type: 'string', valueName: '<types.json>', description: 'allowed entity types of the input' },
    generators: {
      type: 'string',
      valueName: '<list>',
      description: `generators to run, from ${GENERATORS.join(', ')}`,
      defaultText: 'swap,context (+paraphrase with --paraphrase/--back-translate)',
    },
    'per-sentence': {
      type: 'string',
      valueName: '<n>',
      description: 'candidates asked of each generator per sentence',
      defaultText: '2',
    },
    kb: {
      type: 'string',
      valueName: '<entities.jsonl>',
      description: 'knowledge base for the mention swap (e.g. ../shared/data/kb/entities.jsonl)',
    },
    'kb-map': {
      type: 'string',
      valueName: '<list>',
      description: 'extra KB type mappings, e.g. ORGANIZATION=OTHER_ORG (default: only one-to-one types)',
    },
    tagger: {
      type: 'string',
      valueName: '<spec>',
      description:
        'separate tagger for filter stages 1-2: lexicon:<train.jsonl>, or a saved span tagger folder',
    },
    filter: {
      type: 'string',
      valueName: '<list>',
      description: `filter stages to run, from ${STAGES.join(', ')}, or none (the structure check always runs)`,
      defaultText: STAGES.join(','),
    },
    threshold: {
      type: 'string',
      valueName: '<p>',
      description: 'least tagger confidence (stage 1)',
      defaultText: '0.5',
    },
    aggregate: {
      type: 'string',
      valueName: 'mean|min',
      description: 'how entity confidences combine',
      defaultText: 'mean',
    },
    'min-agreement': {
      type: 'string',
      valueName: '<share>',
      description: 'least share of claimed entities the tagger must predict exactly (stage 2)',
      defaultText: '1',
    },
    'max-similarity': {
      type: 'string',
      valueName: '<s>',
      description: 'near-duplicate at or above (stage 3)',
      defaultText: '0.95',
    },
    'min-similarity': {
      type: 'string',
      valueName: '<s>',
      description: 'drifted below (stage 3)',
      defaultText: '0.2',
    },
    paraphrase: {
      type: 'string',
      valueName: '<model>',
      description: 'a ja→ja seq2seq paraphrase model (folder or id)',
    },
    'back-translate': {
      type: 'string',
      valueName: '<fwd,bwd>',
      description:
        'ja→pivot and pivot→ja translation models (folders or ids), e.g. opus-mt-ja-en,opus-mt-en-jap',
    },
    'models-dir': {
      type: 'string',
      valueName: '<dir>',
      description: 'where model folders are looked up by name',
      defaultText: '$NERIMA_MODELS or ../shared/models',
    },
    'allow-remote': {
      type: 'boolean',
      description: 'let transformers.js download models from the Hugging Face Hub',
    },
    'only-new': { type: 'boolean', description: 'write only the generated sentences, not the inputs' },
    force: { type: 'boolean', description: 'overwrite --out / --report when they exist' },
  },
  examples: [
    {
      command:
        'nerima augment --in data/demo/train.jsonl --out data/demo/train.aug.jsonl --report runs/augment-report.json',
      description: 'swap and context change with the structure and similarity checks',
    },
    {
      command:
        'nerima augment --in support.jsonl --out support.aug.jsonl --kb ../shared/data/kb/entities.jsonl --tagger lexicon:../shared/data/stockmark/train.jsonl',
      description: 'knowledge-base swaps, filtered by a separate lexicon tagger',
    },
    {
      command:
        'nerima augment --in train.jsonl --out aug.jsonl --back-translate opus-mt-ja-en,opus-mt-en-jap --models-dir ../shared/models',
      description: 'add back-translation paraphrases (warns and goes on when the models are missing)',
    },
  ],
  async run(ctx) {
    const inPath = userPath(ctx, requireString(ctx.values, 'in', 'the JSONL file to augment'));
    const outPath = userPath(ctx, requireString(ctx.values, 'out', 'the JSONL file to write'));
    const reportArg = getString(ctx.values, 'report');
    const reportPath = reportArg ? userPath(ctx, reportArg) : undefined;
    const force = getFlag(ctx.values, 'force');
    if (!force) {
      for (const p of [outPath, reportPath]) {
        if (p && (await exists(p)))
          throw new UsageError(`${p} already exists; choose another path or pass --force`);
      }
    }
    if (outPath === inPath) throw new UsageError('--out must differ from --in');
    const perSentence = getInt(ctx.values, 'per-sentence', 2, { min: 0, max: 1000 });
    const paraModel = getString(ctx.values, 'paraphrase');
    const backArg = getString(ctx.values, 'back-translate');
    const back = backArg === undefined ? undefined : getList(ctx.values, 'back-translate', []);
    if (back && back.length !== 2)
      throw new UsageError(`--back-translate needs two models <fwd>,<bwd>, got ${JSON.stringify(backArg)}`);
    if (paraModel && back) throw new UsageError('give either --paraphrase or --back-translate, not both');
    const defaultGens = paraModel || back ? ['swap', 'context', 'paraphrase'] : ['swap', 'context'];
    const wanted = getList(ctx.values, 'generators', defaultGens);
    for (const g of wanted) {
      if (!(GENERATORS as readonly string[]).includes(g))
        throw new UsageError(
          `--generators: unknown generator ${JSON.stringify(g)}; choose from ${GENERATORS.join(', ')}`,
        );
    }
    const stagesRaw = getList(ctx.values, 'filter', [...STAGES]);
    const stages = stagesRaw.length === 1 && stagesRaw[0] === 'none' ? [] : stagesRaw;
    for (const s of stages) {
      if (!(STAGES as readonly string[]).includes(s))
        throw new UsageError(
          `--filter: unknown stage ${JSON.stringify(s)}; choose from ${STAGES.join(', ')} or none`,
        );
    }
    const aggregate = getString(ctx.values, 'aggregate', 'mean');
    if (aggregate !== 'mean' && aggregate !== 'min')
      throw new UsageError(`--aggregate must be mean or min, got ${JSON.stringify(aggregate)}`);
    const filter: FilterOptions = {
      confidence: stages.includes('confidence')
        ? { threshold: getNumber(ctx.values, 'threshold', 0.5), aggregate }
        : false,
      consistency: stages.includes('consistency')
        ? { minAgreement: getNumber(ctx.values, 'min-agreement', 1) }
        : false,
      similarity: stages.includes('similarity')
        ? {
            maxSimilarity: getNumber(ctx.values, 'max-similarity', 0.95),
            minSimilarity: getNumber(ctx.values, 'min-similarity', 0.2),
          }
        : false,
    };

    const typesArg = getString(ctx.values, 'types');
    const types = typesArg ? await readTypesFile(userPath(ctx, typesArg)) : undefined;
    const ds = await readDatasetFile(inPath, types ? { types } : {});

    const kbArg = getString(ctx.values, 'kb');
    const kbArgPath = kbArg ? userPath(ctx, kbArg) : undefined;
    let tagger: Tagger | undefined;
    let taggerDescription: string | undefined;
    const taggerSpec = getString(ctx.values, 'tagger');
    if (taggerSpec) {
      ({ tagger, description: taggerDescription } = await loadTagger(
        taggerSpec,
        ctx,
        ctx.global.backend,
        kbArgPath,
      ));
      ctx.out.info(`filter tagger: ${taggerDescription}`);
    }

    const generators: Generator[] = [];
    let kbStats: unknown;
    for (const g of wanted) {
      if (g === 'swap') {
        const lexicons: MentionLexicon[] = [];
        if (kbArgPath) {
          const kbPath = kbArgPath;
          try {
            const typeMap = parseKbMap(getList(ctx.values, 'kb-map', []));
            const { lexicon, stats } = await loadKbLexicon(kbPath, { typeMap });
            lexicons.push(lexicon);
            kbStats = stats;
            ctx.out.info(
              `knowledge base: ${lexicon.size} names of types ${lexicon.types.join(', ')} from ${kbPath}`,
            );
          } catch (err) {
            throw asInputError(err, kbPath);
          }
        }
        generators.push(createMentionSwap({ lexicons }));
      } else if (g === 'context') {
        generators.push(createContextChange());
      } else {
        const modelsDir = getString(ctx.values, 'models-dir');
        const shared = {
          ...(modelsDir ? { modelsDir: userPath(ctx, modelsDir) } : {}),
          allowRemoteModels: getFlag(ctx.values, 'allow-remote'),
        };
        if (paraModel) generators.push(await loadParaphrase({ paraphrase: paraModel, shared }));
        else if (back)
          generators.push(await loadParaphrase({ backTranslation: [back[0]!, back[1]!], shared }));
        else {
          generators.push({
            name: 'paraphrase',
            unavailable:
              'paraphrase: no model given (--paraphrase <model> or --back-translate <fwd>,<bwd>); skipped',
            generate: () => [],
          });
        }
      }
    }

    let result: Awaited<ReturnType<typeof augment>>;
    try {
      result = await augment(ds.sentences, {
        generators,
        filter,
        perSentence,
        seed: ctx.global.seed,
        ...(tagger ? { tagger } : {}),
      });
    } catch (err) {
      throw new CliError(`augment failed: ${(err as Error).message}`, EXIT.FAILURE, { cause: err });
    } finally {
      for (const g of generators) await g.dispose?.();
      tagger?.dispose?.();
    }
    const { sentences, report } = result;
    for (const w of report.warnings) ctx.out.warn(w);
    const rows = getFlag(ctx.values, 'only-new') ? sentences : [...ds.sentences, ...sentences];
    await writeJsonl(outPath, rows);
    const full = {
      input: inPath,
      output: outPath,
      written: rows.length,
      tagger: taggerDescription ?? null,
      ...(kbStats ? { kb: kbStats } : {}),
      ...report,
    };
    if (reportPath) await writeJsonAtomic(reportPath, full);
    ctx.out.result(
      { ...full, examples: report.examples.slice(0, 20), ...(reportPath ? { reportFile: reportPath } : {}) },
      () => summary(report, outPath, taggerDescription) + (reportPath ? `\n\nreport: ${reportPath}` : ''),
    );
    return EXIT.OK;
  },
});
