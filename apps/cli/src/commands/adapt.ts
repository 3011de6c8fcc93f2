import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { keepTypes, writeJsonAtomic, writeJsonl } from '@nerima/core';
import { getFlag, getInt, getList, requireString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { readDatasetFile } from '../data.js';
import { DataError } from '../errors.js';
import {
  ADAPTED,
  ADAPTED_FORMAT,
  type AdaptedManifest,
  MANIFEST_VERSION,
  META,
  type MetaManifest,
} from '../layout.js';
import { checkRunFolder, startRunFolder } from '../run-folder.js';
import { checkSupport } from '../support.js';

export const adaptCommand = defineCommand({
  name: 'adapt',
  summary: 'adapt a meta-trained model to new entity types from a support file, and save the adapted model',
  description: `Adapts the MAML-ProtoNet++ model of a run folder (made by "nerima meta-train" or "nerima pipeline")
to the types of a few labelled sentences: control network → inner steps on the support loss →
prototypes. The types need not be seen in meta-training.
The output folder holds adapted.json (types, counts), support.jsonl and meta/ (a copy of the meta
model, so the folder stands alone). Loading it re-runs the adaptation, which is deterministic and takes
about a second, so "nerima predict --model <out>" and "nerima serve --model <out>" get exactly the
tagger checked here; no adapted weights are stored. The folder is written atomically.
Checks: the support file must have sentences with entities; every type (--types, default all types
in the file) needs at least --min-k mentions; a --types entry without any mention is an error.`,
  options: {
    model: {
      type: 'string',
      short: 'm',
      valueName: '<run folder>',
      description: 'run folder with model/meta (or an adapted folder, to re-adapt its meta model)',
    },
    support: {
      type: 'string',
      short: 's',
      valueName: '<file>',
      description: 'labelled sentences for the new types (JSONL, Stockmark ner.json or CoNLL)',
    },
    types: {
      type: 'string',
      valueName: '<T1,T2,...>',
      description: 'types to learn; mentions of other types in the file are ignored',
      defaultText: 'every type in the support file',
    },
    'min-k': { type: 'string', valueName: '<k>', description: 'least mentions per type', defaultText: '1' },
    out: { type: 'string', short: 'o', valueName: '<dir>', description: 'folder for the adapted model' },
    force: { type: 'boolean', description: 'replace a non-empty --out' },
  },
  examples: [
    {
      command: 'nerima adapt --model runs/meta-A --support support.jsonl --out runs/products',
      description: 'learn the types of support.jsonl, then: nerima predict --model runs/products --text "…"',
    },
    {
      command:
        'nerima adapt --model runs/meta-A --support support.jsonl --types PRODUCT,EVENT --min-k 5 --out runs/pe',
      description: 'only PRODUCT and EVENT, and insist on 5 examples of each',
    },
  ],
  async run(ctx) {
    const modelDir = userPath(
      ctx,
      requireString(ctx.values, 'model', 'a run folder with a meta-trained model'),
    );
    const supportPath = userPath(ctx, requireString(ctx.values, 'support', 'a file of labelled sentences'));
    const out = userPath(ctx, requireString(ctx.values, 'out', 'the folder for the adapted model'));
    const minK = getInt(ctx.values, 'min-k', 1, { min: 1, max: 100_000 });
    const listed = ctx.values['types'] === undefined ? undefined : getList(ctx.values, 'types', []);
    const force = getFlag(ctx.values, 'force');
    await checkRunFolder(out, force);

    const { inspectModelFolder } = await import('../model-folder.js');
    const folder = await inspectModelFolder(modelDir);
    if (!folder.metaDir) {
      throw new DataError(
        `--model ${modelDir}: has only a supervised tagger (model/tagger), which cannot learn new types; adapt a run of nerima meta-train or nerima pipeline`,
      );
    }

    const support = (await readDatasetFile(supportPath)).sentences;
    const { types, counts } = checkSupport(support, supportPath, listed, minK);

    const { initTensorBackend } = await import('../backend.js');
    const { adaptMeta } = await import('../model-folder.js');
    const { evaluateSpans } = await import('@nerima/eval');
    await initTensorBackend(ctx);
    const t0 = performance.now();
    const adapted = await adaptMeta(folder.metaDir, support, types);
    let check: { microF1: number; precision: number; recall: number };
    try {
      const adaptMs = performance.now() - t0;
      ctx.out.info(`adapted to ${types.join(', ')} in ${(adaptMs / 1000).toFixed(1)}s`);
      // Sanity check on the support sentences themselves (not an accuracy estimate).
      const restricted = support.map((s) => keepTypes(s, types));
      const predictions = await adapted.tagger.predict(restricted.map((s) => s.text));
      const report = evaluateSpans(
        restricted.map((s) => s.entities),
        predictions,
        { types },
      );
      check = { microF1: report.micro.f1, precision: report.micro.precision, recall: report.micro.recall };
    } finally {
      adapted.dispose();
    }

    const pending = await startRunFolder(out, force);
    const manifest: AdaptedManifest = {
      format: ADAPTED_FORMAT,
      version: MANIFEST_VERSION,
      types,
      support: ADAPTED.support,
      supportCounts: Object.fromEntries(types.map((t) => [t, counts.get(t) ?? 0])),
      meta: ADAPTED.metaDir,
      from: resolve(modelDir),
      createdAt: new Date().toISOString(),
    };
    try {
      await mkdir(join(pending.tmp, ADAPTED.metaDir));
      // The span cues' data files travel with the model (meta.json lists them).
      const metaManifest = JSON.parse(
        await readFile(join(folder.metaDir, META.manifest), 'utf8'),
      ) as MetaManifest;
      const cueFiles = Object.values(metaManifest.cues ?? {}).filter(
        (f): f is string => typeof f === 'string',
      );
      for (const f of [META.manifest, META.model, META.encoder, ...cueFiles]) {
        await copyFile(join(folder.metaDir, f), join(pending.tmp, ADAPTED.metaDir, f));
      }
      await writeJsonl(join(pending.tmp, ADAPTED.support), support);
      await writeJsonAtomic(join(pending.tmp, ADAPTED.manifest), { ...manifest, supportCheck: check });
      await pending.commit();
    } catch (err) {
      await pending.abort();
      throw err;
    }
    ctx.out.result({ out, ...manifest, supportCheck: check }, () =>
      [
        `adapted ${modelDir} to ${types.map((t) => `${t} (${counts.get(t)})`).join(', ')} from ${support.length} support sentence(s) → ${out}`,
        `  on the support sentences themselves: micro F1 ${(100 * check.microF1).toFixed(1)} (a sanity check, not an accuracy estimate)`,
        `next: nerima predict --model ${out} --text "…"`,
      ].join('\n'),
    );
    return 0;
  },
});
