import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Prediction, Tagger } from '@nerima/core';
import { getInt, getList, getString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { readDatasetFile } from '../data.js';
import { asInputError, DataError, UsageError } from '../errors.js';
import { highlight } from '../highlight.js';
import type { ModelFolder } from '../model-folder.js';
import { checkSupport } from '../support.js';

const FORMATS = ['jsonl', 'text'] as const;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One text per line; a final newline does not make an extra empty text. */
function lines(text: string): string[] {
  const all = text.split(/\r?\n/);
  if (all.length > 1 && all[all.length - 1] === '') all.pop();
  return all;
}

function round(p: Prediction): Prediction {
  return { start: p.start, end: p.end, type: p.type, text: p.text, score: Math.round(p.score * 1e4) / 1e4 };
}

export const predictCommand = defineCommand({
  name: 'predict',
  summary: 'tag text (--text, --file or stdin) with a trained or adapted model: JSONL or highlighted text',
  description: `Tags each input line and prints one result per line, in order (empty lines give no entities):
  jsonl (default): {"text": "...", "entities": [{"start", "end", "type", "text", "score"}]}; offsets
                   are UTF-16 code units (JavaScript string indices), end exclusive
  text:            the line with entities inline as [東京大学]{ORG} (nested mentions nest); coloured
                   when stdout is a terminal (NO_COLOR turns colours off)
Without --model it uses the shipped Stockmark tagger (8 types, no training needed); --model gsd picks
the shipped GSD NE tagger. --model also takes a tagger folder, an adapted folder (nerima adapt), or a
run folder: its supervised tagger (nerima train) if it has one, else its meta model adapted on the
spot to --support. Taggers run on onnxruntime-node when it is installed (else tfjs). With --json: one
JSON document.`,
  options: {
    model: {
      type: 'string',
      short: 'm',
      valueName: '<dir>',
      description:
        'a shipped tagger (stockmark, gsd), a tagger folder, an adapted folder, or a run folder (model/tagger, or model/meta with --support)',
      defaultText: 'stockmark, the shipped 8-type tagger',
    },
    text: { type: 'string', short: 't', valueName: '<text>', description: 'one text to tag' },
    file: { type: 'string', short: 'f', valueName: '<file>', description: 'a UTF-8 file, one text per line' },
    format: { type: 'string', valueName: '<jsonl|text>', description: 'output format', defaultText: 'jsonl' },
    support: {
      type: 'string',
      short: 's',
      valueName: '<file>',
      description: "adapt the run's meta model to this support file first",
    },
    types: {
      type: 'string',
      valueName: '<T1,T2,...>',
      description: 'with --support: types to learn',
      defaultText: 'every type in the support file',
    },
    'min-k': {
      type: 'string',
      valueName: '<k>',
      description: 'with --support: least mentions per type',
      defaultText: '1',
    },
    'batch-size': {
      type: 'string',
      valueName: '<n>',
      description: 'texts per model call',
      defaultText: '64',
    },
  },
  examples: [
    {
      command: 'nerima predict --text "トヨタ自動車の豊田章男社長は名古屋市で記者会見を開いた。"',
      description: 'entities of one text with the shipped Stockmark tagger, no training step',
    },
    {
      command: 'nerima predict --model runs/products --text "新型のiPhoneをアップルが発表した。"',
      description: 'entities of one text as JSONL, with an adapted model',
    },
    {
      command: 'cat news.txt | nerima predict --model runs/tagger --format text',
      description: 'highlight every line of stdin with a supervised tagger',
    },
    {
      command: 'nerima predict --model runs/meta-A --support support.jsonl --file news.txt > entities.jsonl',
      description: 'adapt on the spot and tag a file',
    },
  ],
  async run(ctx) {
    const { DEFAULT_TAGGER, SHIPPED_TAGGERS } = await import('@nerima/models');
    const modelArg = getString(ctx.values, 'model');
    const shippedName =
      modelArg === undefined ? DEFAULT_TAGGER : SHIPPED_TAGGERS[modelArg] ? modelArg : undefined;
    const format = getString(ctx.values, 'format', 'jsonl');
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be jsonl or text, got ${JSON.stringify(format)}`);
    }
    const batchSize = getInt(ctx.values, 'batch-size', 64, { min: 1, max: 100_000 });
    const minK = getInt(ctx.values, 'min-k', 1, { min: 1, max: 100_000 });
    const textArg = getString(ctx.values, 'text');
    const fileArg = getString(ctx.values, 'file');
    const supportArg = getString(ctx.values, 'support');
    const listed = ctx.values['types'] === undefined ? undefined : getList(ctx.values, 'types', []);
    if (listed && !supportArg)
      throw new UsageError('--types goes with --support (the types to learn from it)');
    if (textArg !== undefined && fileArg !== undefined)
      throw new UsageError('give --text or --file, not both');
    if (textArg === undefined && fileArg === undefined && process.stdin.isTTY) {
      throw new UsageError('nothing to tag: give --text "...", --file <file>, or pipe text on stdin');
    }

    if (shippedName !== undefined && supportArg) {
      throw new UsageError(
        `--support adapts a meta model; the shipped tagger ${shippedName} has none: give --model <run folder with model/meta>`,
      );
    }
    const modelDir = shippedName ?? userPath(ctx, modelArg as string);
    const { inspectModelFolder, loadAdaptedFolder, loadTaggerFolder, adaptMeta, SERVING_STORE_CAPACITY } =
      await import('../model-folder.js');
    const storeCapacity = SERVING_STORE_CAPACITY;
    // A shipped name or a bare tagger folder (tagger.json) is a tagger; anything else is a run/adapted folder.
    const isTagger = shippedName !== undefined || existsSync(join(modelDir, 'tagger.json'));
    const folder: ModelFolder = isTagger
      ? { dir: modelDir, kind: 'run', taggerDir: modelDir }
      : await inspectModelFolder(modelDir);
    let support:
      | { sentences: Awaited<ReturnType<typeof readDatasetFile>>['sentences']; types: string[] }
      | undefined;
    if (supportArg) {
      if (!folder.metaDir) {
        throw new DataError(
          `--model ${modelDir}: has no meta-trained model to adapt with --support (only model/tagger); drop --support to use its tagger`,
        );
      }
      const path = userPath(ctx, supportArg);
      const sentences = (await readDatasetFile(path)).sentences;
      support = { sentences, types: checkSupport(sentences, path, listed, minK).types };
    } else if (folder.kind === 'run' && !folder.taggerDir) {
      throw new DataError(
        `--model ${modelDir}: has only a meta-trained model, which needs examples of the types to find: pass --support <file>, or run nerima adapt first`,
      );
    }

    let input: string[];
    if (textArg !== undefined) input = [textArg];
    else if (fileArg !== undefined) {
      const path = userPath(ctx, fileArg);
      try {
        input = lines(await readFile(path, 'utf8'));
      } catch (err) {
        throw asInputError(err, path);
      }
    } else input = lines(await readStdin());

    const { initTensorBackend } = await import('../backend.js');
    await initTensorBackend(ctx);
    let tagger: Tagger;
    let dispose: () => void;
    if (support) {
      const a = await adaptMeta(folder.metaDir as string, support.sentences, support.types, {
        storeCapacity,
      });
      ctx.out.info(
        `adapted ${modelDir} to ${support.types.join(', ')} (${support.sentences.length} support sentences)`,
      );
      tagger = a.tagger;
      dispose = () => a.dispose();
    } else if (folder.kind === 'adapted') {
      const a = await loadAdaptedFolder(folder, { storeCapacity });
      tagger = a.tagger;
      dispose = () => a.dispose();
    } else {
      const t = await loadTaggerFolder(folder.taggerDir as string);
      tagger = t;
      dispose = () => t.dispose();
    }
    ctx.out.info(
      `model ${modelDir}: types ${tagger.types.join(', ')}${'runtime' in tagger ? `, runtime ${String(tagger.runtime)}` : ''}`,
    );

    const colour = format === 'text' && ctx.out.stdoutIsTTY && !ctx.env['NO_COLOR'];
    const results: { text: string; entities: Prediction[] }[] = [];
    const bar = ctx.progress('predict', input.length);
    try {
      for (let i = 0; i < input.length; i += batchSize) {
        const chunk = input.slice(i, i + batchSize);
        const nonEmpty = chunk.filter((t) => t.trim() !== '');
        const predicted = nonEmpty.length > 0 ? await tagger.predict(nonEmpty) : [];
        let j = 0;
        const lineResults = chunk.map((text) => ({
          text,
          entities:
            text.trim() === ''
              ? []
              : (predicted[j++] ?? []).map(round).sort((a, b) => a.start - b.start || b.end - a.end),
        }));
        if (ctx.global.json) results.push(...lineResults);
        else {
          ctx.out.result(null, () =>
            lineResults
              .map((r) => (format === 'jsonl' ? JSON.stringify(r) : highlight(r.text, r.entities, colour)))
              .join('\n'),
          );
        }
        bar.tick(chunk.length);
      }
    } finally {
      bar.done();
      dispose();
    }
    if (ctx.global.json) ctx.out.result({ model: modelDir, types: tagger.types, results }, () => '');
    return 0;
  },
});
