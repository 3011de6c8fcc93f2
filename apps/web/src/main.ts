/** The page: wires the DOM to an {@link Engine} (see index.html for the layout). */
import type { EntityType, Prediction, Sentence } from '@nerima/core';
import { BUILTIN_TYPES, builtinSupport } from './builtin.js';
import { type Engine, HttpEngine, WorkerEngine } from './engine.js';
import type { Progress } from './protocol.js';
import { entitiesHtml, entityKey, escapeHtml, legendHtml } from './render.js';
import { parseReport, reportHtml } from './report-view.js';
import {
  diffEntities,
  labelSelection,
  supportProblem,
  toJsonl,
  typeCounts,
  typeNameProblem,
} from './support.js';
import { MAX_TEXT_LENGTH, type SentenceSpan, splitSentences, textProblem } from './text.js';

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el as T;
};
const ui = {
  mode: $<HTMLSelectElement>('mode'),
  serverUrl: $<HTMLInputElement>('server-url'),
  status: $('status'),
  message: $('message'),
  text: $<HTMLTextAreaElement>('text'),
  length: $('length'),
  tag: $<HTMLButtonElement>('tag'),
  legend: $('legend'),
  output: $('output'),
  typeName: $<HTMLInputElement>('type-name'),
  typeList: $('type-list'),
  label: $<HTMLButtonElement>('label'),
  adapt: $<HTMLButtonElement>('adapt'),
  support: $('support'),
  supportCount: $('support-count'),
  changes: $('changes'),
  exportSupport: $<HTMLButtonElement>('export-support'),
  exportPredictions: $<HTMLButtonElement>('export-predictions'),
  drop: $('drop'),
  reportFile: $<HTMLInputElement>('report-file'),
  report: $('report'),
};

/** Timings the benchmark and the e2e test read (`window.nerimaStats`). */
interface Stats {
  backend?: string;
  loadMs?: number;
  modelBytes?: number;
  adaptMs?: number;
  tagMs?: number;
  /** `performance.now()` (ms since navigation) when the first tagged sentence was on screen. */
  firstTaggedAt?: number;
}
const stats: Stats = {};
(window as unknown as { nerimaStats: Stats }).nerimaStats = stats;

const state = {
  engine: undefined as Engine | undefined,
  support: builtinSupport(),
  /** Types in legend order: the built-in ones, then new ones as they are labelled. */
  types: [...BUILTIN_TYPES] as EntityType[],
  adaptedTypes: [] as EntityType[],
  /** The text and sentences last tagged, and their predictions (sentence-relative offsets). */
  tagged: undefined as { text: string; sentences: SentenceSpan[]; predictions: Prediction[][] } | undefined,
  busy: false,
  nextId: 1,
};

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  ui.message.textContent = text;
  ui.message.className = kind;
  ui.message.hidden = text.length === 0;
}

function setBusy(busy: boolean, status?: string): void {
  state.busy = busy;
  const ready = !!state.engine && !busy;
  ui.tag.disabled = !ready;
  ui.label.disabled = !ready;
  ui.adapt.disabled = !ready;
  ui.exportPredictions.disabled = !state.tagged;
  document.body.dataset['busy'] = busy ? '1' : '0';
  if (status !== undefined) ui.status.textContent = status;
}

const showProgress = (p: Progress) => {
  ui.status.textContent = p.total > 1 ? `${p.label} ${p.done}/${p.total}` : p.label;
};

function noteType(type: EntityType): void {
  if (!state.types.includes(type)) state.types.push(type);
  ui.typeList.innerHTML = state.types.map((t) => `<option value="${escapeHtml(t)}"></option>`).join('');
}

function renderSupport(): void {
  const counts = typeCounts(state.support);
  for (const t of counts.keys()) noteType(t);
  ui.supportCount.textContent = `${state.support.length} sentences · ${[...counts].map(([t, n]) => `${t} ${n}`).join(', ')}`;
  ui.support.innerHTML = state.support
    .map(
      (s, i) =>
        `<li data-id="${escapeHtml(s.id)}" data-text="${escapeHtml(s.text)}">${entitiesHtml(s.text, s.entities, { types: state.types })}` +
        `<button type="button" data-remove="${i}" title="remove from the support set">×</button></li>`,
    )
    .join('');
}

function renderTagged(changed?: ReadonlySet<string>): void {
  const t = state.tagged;
  if (!t) return;
  const shownTypes = new Set<EntityType>();
  ui.output.innerHTML = t.sentences
    .map((s, i) => {
      const preds = t.predictions[i] ?? [];
      for (const p of preds) shownTypes.add(p.type);
      const html = entitiesHtml(t.text.slice(s.start, s.end), preds, {
        types: state.types,
        offset: s.start,
        ...(changed ? { changed } : {}),
      });
      return `<p class="sent" data-start="${s.start}" data-end="${s.end}">${html}</p>`;
    })
    .join('');
  for (const type of shownTypes) noteType(type);
  const legendTypes = state.types.filter((type) => shownTypes.has(type) || state.adaptedTypes.includes(type));
  ui.legend.innerHTML = legendHtml(legendTypes);
}

/** Tags the text box; returns the previous predictions by whole-text key for diffs. */
async function tagText(): Promise<boolean> {
  const engine = state.engine;
  if (!engine) return false;
  const text = ui.text.value;
  const problem = textProblem(text);
  if (problem) {
    say(problem, 'error');
    return false;
  }
  const sentences = splitSentences(text);
  const result = await engine.tag(
    sentences.map((s) => text.slice(s.start, s.end)),
    showProgress,
  );
  stats.tagMs = result.tagMs;
  state.tagged = { text, sentences, predictions: result.predictions };
  return true;
}

function wholeTextEntities(): Prediction[] {
  const t = state.tagged;
  if (!t) return [];
  return t.sentences.flatMap((s, i) =>
    (t.predictions[i] ?? []).map((p) => ({ ...p, start: p.start + s.start, end: p.end + s.start })),
  );
}

async function run(label: string, work: () => Promise<void>): Promise<void> {
  if (state.busy) return;
  setBusy(true, label);
  try {
    await work();
  } catch (err) {
    say(err instanceof Error ? err.message : String(err), 'error');
  } finally {
    setBusy(false, state.engine ? `ready · ${stats.backend ?? ''}` : 'not loaded');
  }
}

async function adaptAndTag(showChanges: boolean): Promise<void> {
  const engine = state.engine;
  if (!engine) return;
  const problem = supportProblem(state.support);
  if (problem) {
    say(problem, 'error');
    return;
  }
  const types = [...typeCounts(state.support).keys()];
  const sameText = state.tagged?.text === ui.text.value;
  const before = sameText ? wholeTextEntities() : [];
  const adapted = await engine.adapt(state.support, types);
  stats.adaptMs = adapted.adaptMs;
  state.adaptedTypes = adapted.types;
  if (!(await tagText())) return;
  const after = wholeTextEntities();
  if (showChanges && sameText) {
    const d = diffEntities(before, after);
    const item = (cls: string, sign: string, e: Prediction) =>
      `<li class="${cls}">${sign} ${escapeHtml(e.text)} <small>${escapeHtml(e.type)} [${e.start}, ${e.end})</small></li>`;
    ui.changes.innerHTML =
      `<h3>What changed <small>adapted to ${escapeHtml(adapted.types.join(', '))} in ${(adapted.adaptMs / 1000).toFixed(1)} s</small></h3>` +
      (d.added.length + d.removed.length + d.retyped.length === 0
        ? '<p class="muted">No entity changed in the text.</p>'
        : `<ul>${d.added.map((e) => item('added', '+', e)).join('')}${d.removed.map((e) => item('removed', '−', e)).join('')}` +
          d.retyped
            .map(
              (r) =>
                `<li class="retyped">~ ${escapeHtml(r.after.text)} <small>${escapeHtml(r.before.type)} → ${escapeHtml(r.after.type)}</small></li>`,
            )
            .join('') +
          '</ul>');
    renderTagged(new Set([...d.added, ...d.retyped.map((r) => r.after)].map(entityKey)));
  } else renderTagged();
  say(`Adapted to ${adapted.types.join(', ')} from ${state.support.length} support sentences.`);
}

function labelFromSelection() {
  const type = ui.typeName.value.trim();
  const nameProblem = typeNameProblem(type);
  if (nameProblem) return say(nameProblem, 'error');
  const text = ui.text.value;
  const selStart = ui.text.selectionStart;
  const selEnd = ui.text.selectionEnd;
  if (selStart === selEnd) return say('Select the words to label in the text box first.', 'error');
  const sentences = splitSentences(text);
  const sent = sentences.find((s) => s.start <= selStart && selEnd <= s.end);
  if (!sent) {
    return say(
      'The selection spans more than one sentence (or only whitespace): select within one sentence.',
      'error',
    );
  }
  const sentenceText = text.slice(sent.start, sent.end);
  const existing = state.support.find((s) => s.text === sentenceText);
  let base: Sentence;
  if (existing) base = existing;
  else {
    // Start from the current entities of that sentence, when the text box still holds what was tagged.
    const t = state.tagged;
    const i =
      t && t.text === text ? t.sentences.findIndex((s) => s.start === sent.start && s.end === sent.end) : -1;
    const preds = i >= 0 ? (t?.predictions[i] ?? []) : [];
    base = {
      id: `user-${state.nextId++}`,
      text: sentenceText,
      entities: preds.map(({ start, end, type: ty }) => ({ start, end, type: ty })),
    };
  }
  const r = labelSelection(base, selStart - sent.start, selEnd - sent.start, type);
  if (!r.ok) return say(r.message, 'error');
  state.support = existing
    ? state.support.map((s) => (s === existing ? r.sentence : s))
    : [...state.support, r.sentence];
  noteType(type);
  renderSupport();
  const surface = sentenceText.slice(selStart - sent.start, selEnd - sent.start);
  const n = typeCounts(state.support).get(type) ?? 0;
  say(
    `Labelled "${surface}" as ${type}${r.replaced ? ` (was ${r.replaced.type})` : ''}; ${type} has ${n} example${n === 1 ? '' : 's'} in the support set.`,
  );
}

function download(name: string, body: string): void {
  const url = URL.createObjectURL(new Blob([body], { type: 'application/jsonl' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function showReport(file: File): Promise<void> {
  try {
    ui.report.innerHTML = reportHtml(parseReport(await file.text(), file.name));
    say(`Showing ${file.name}.`);
  } catch (err) {
    ui.report.innerHTML = '';
    say((err as Error).message, 'error');
  }
}

async function start(): Promise<void> {
  state.engine?.dispose();
  state.engine = undefined;
  const base = new URL('./', document.baseURI).href;
  const engine =
    ui.mode.value === 'server'
      ? new HttpEngine(ui.serverUrl.value.trim() || new URL('/', location.href).href)
      : new WorkerEngine(
          base,
          (new URLSearchParams(location.search).get('backend') as 'auto' | 'wasm' | 'cpu') ?? 'auto',
        );
  setBusy(true, 'loading the model…');
  try {
    const info = await engine.init(showProgress);
    state.engine = engine;
    Object.assign(stats, { backend: info.backend, loadMs: info.loadMs, modelBytes: info.modelBytes });
    await adaptAndTag(false);
    if (stats.firstTaggedAt === undefined && state.tagged) {
      stats.firstTaggedAt = performance.now();
      document.body.dataset['ready'] = '1';
    }
  } catch (err) {
    say(`Could not start the model: ${err instanceof Error ? err.message : String(err)}`, 'error');
  } finally {
    setBusy(false, state.engine ? `ready · ${stats.backend ?? ''}` : 'not loaded');
  }
}

ui.text.addEventListener('input', () => {
  const n = ui.text.value.length;
  ui.length.textContent =
    n > MAX_TEXT_LENGTH ? `${n} / ${MAX_TEXT_LENGTH} characters: too long` : `${n} characters`;
});
ui.tag.addEventListener('click', () =>
  run('tagging…', async () => {
    say('');
    if (await tagText()) {
      renderTagged();
      ui.changes.innerHTML = '';
    }
  }),
);
ui.label.addEventListener('click', labelFromSelection);
ui.adapt.addEventListener('click', () => run('adapting…', () => adaptAndTag(true)));
ui.support.addEventListener('click', (e) => {
  const i = (e.target as HTMLElement).dataset['remove'];
  if (i === undefined) return;
  state.support = state.support.filter((_, k) => k !== Number(i));
  renderSupport();
});
ui.exportSupport.addEventListener('click', () => download('support.jsonl', toJsonl(state.support)));
ui.exportPredictions.addEventListener('click', () => {
  const t = state.tagged;
  if (!t) return;
  const rows: Sentence[] = t.sentences.map((s, i) => ({
    id: `text-${i + 1}`,
    text: t.text.slice(s.start, s.end),
    entities: (t.predictions[i] ?? []).map(({ start, end, type }) => ({ start, end, type })),
  }));
  download('predictions.jsonl', toJsonl(rows));
});
ui.mode.addEventListener('change', () => {
  ui.serverUrl.hidden = ui.mode.value !== 'server';
  void start();
});
ui.serverUrl.addEventListener('change', () => void start());
ui.reportFile.addEventListener('change', () => {
  const f = ui.reportFile.files?.[0];
  if (f) void showReport(f);
});
ui.drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) void showReport(f);
});

if (new URLSearchParams(location.search).get('mode') === 'server') {
  ui.mode.value = 'server';
  ui.serverUrl.hidden = false;
}
renderSupport();
ui.text.dispatchEvent(new Event('input'));
void start();
