// The backend: implements every method of the contract once, for both transports (Electron IPC
// and the browser-mode WebSocket). Requests are validated here whatever their origin.
import { EventEmitter } from 'node:events';
import { userInfo } from 'node:os';
import type { EventName, Events, Method, ParsedParams, Result, SessionInfo } from '../../src-core/api/contract';
import { validateRequest } from '../../src-core/api/validate';
import { JobManager } from '../jobs/manager';
import { Repo } from '../store/repo';
import type { Workspace } from '../store/workspace';
import { backendStatus, setBackendStatus } from './backend-status';
import { consensusSummary } from './consensus';
import { confineApiExport } from './export-target';
import { evaluateModel, gradedSummary, listModels, promoteModel } from './models';
import { listBundledModels } from './bundled-models';
import { SampService } from '../samp/service';
import { simulatePresets } from './simulate-presets';
import { listMassMaps, massMapOverlay } from './massmaps';
import { blendInfo, deblendGrid, deblendInfo } from './deblend';
import { listPosteriors, posteriorSamples, thetaESummaries } from '../store/posteriors';
import { listProducts } from '../store/products';

type Handlers = { [M in Method]: (p: ParsedParams<M>) => Result<M> | Promise<Result<M>> };

export interface BackendOptions {
  mode: 'electron' | 'browser';
  reviewer?: string;
}

export class Backend extends EventEmitter {
  readonly repo: Repo;
  readonly jobs: JobManager;
  private reviewer: { id: number; name: string };
  readonly samp: SampService;

  constructor(
    readonly ws: Workspace,
    private opts: BackendOptions,
  ) {
    super();
    this.repo = new Repo(ws.db);
    this.jobs = new JobManager(this.repo, ws.dir);
    this.jobs.on('update', (j) => {
      // The scoring worker reports what ran the network; show it in the status bar.
      const runtime = j.state === 'done' ? j.result?.runtime : undefined;
      if (typeof runtime === 'string') {
        const status = { name: runtime, detail: `used by job #${j.id} (${j.kind})` };
        setBackendStatus(status);
        this.repo.setSetting('last_runtime', JSON.stringify(status)); // shown again after a restart
      }
      this.emitEvent('job.update', j);
    });
    // The identity is the workspace's: --reviewer NAME is remembered, so a restart without it grades
    // as NAME again, not as the OS user (issue #19: grades landed under the wrong name).
    const name = opts.reviewer ?? this.repo.getSetting('reviewer') ?? safeUserName();
    this.reviewer = this.repo.ensureReviewer(name);
    if (opts.reviewer !== undefined) this.repo.setSetting('reviewer', this.reviewer.name);
    this.samp = new SampService({
      repo: this.repo,
      workspaceDir: ws.dir,
      reviewerId: () => this.reviewer.id,
      onStatus: (st) => this.emitEvent('samp.status', st),
      onHighlight: (sourceId, sender) => this.emitEvent('samp.highlight', { sourceId, sender }),
    });
  }

  emitEvent<E extends EventName>(event: E, data: Events[E]): void {
    this.emit('event', event, data);
  }

  /** Entry point for every transport: validates, dispatches, returns the result or throws a typed error. */
  async call(method: unknown, params: unknown): Promise<unknown> {
    const req = validateRequest(method, params);
    const h = this.handlers[req.method] as (p: unknown) => unknown;
    return await h(req.params);
  }

  /** What computed scores: this process's last scoring job, else the last one in this workspace. */
  private lastRuntime(): { name: string; detail: string } {
    const live = backendStatus();
    if (live.name !== 'not loaded') return live;
    try {
      const saved = JSON.parse(this.repo.getSetting('last_runtime') ?? 'null') as { name: string; detail: string } | null;
      if (saved?.name) return { name: saved.name, detail: `${saved.detail} (earlier session)` };
    } catch {
      /* an unreadable setting is simply not shown */
    }
    return live;
  }

  private sessionInfo(): SessionInfo {
    const modelId = this.repo.activeModelId();
    const model = modelId ? this.repo.models().find((m) => m.id === modelId) : undefined;
    const placeholder = !model || model.kind === 'placeholder';
    return {
      version: '0.1.0',
      workspace: this.ws.dir,
      reviewer: this.reviewer,
      mode: this.opts.mode,
      backend: this.lastRuntime(),
      scorer: {
        modelId: modelId ?? null,
        name: model ? `${model.name} ${model.version}` : 'none',
        placeholder,
        note: placeholder
          ? 'Placeholder scorer (a ring/colour heuristic), not the CMUDeepLens network: scores are for trying the workflow only.'
          : `CMUDeepLens model ${model!.name} ${model!.version}`,
      },
      counts: { sources: this.repo.countSources(), ...this.repo.gradedCounts(this.reviewer.id) },
    };
  }

  private handlers: Handlers = {
    'session.info': () => this.sessionInfo(),
    'reviewer.set': (p) => {
      this.reviewer = this.repo.ensureReviewer(p.name);
      this.repo.setSetting('reviewer', p.name);
      return this.reviewer;
    },
    'candidates.list': (p) => this.repo.listCandidates(p, this.reviewer.id),
    'candidate.get': (p) => this.repo.getCandidate(p.sourceId, this.reviewer.id),
    'labels.add': (p) => {
      const { practice, ...label } = p;
      const l = this.repo.addLabel(this.reviewer.id, label);
      this.emitEvent('labels.changed', { sourceId: p.sourceId });
      const truth = practice ? this.repo.practiceTruth(p.sourceId) : undefined;
      return truth ? { ...l, truth } : l;
    },
    'labels.undo': () => {
      const r = this.repo.undoLastLabel(this.reviewer.id);
      if (r.sourceId) this.emitEvent('labels.changed', { sourceId: r.sourceId });
      return r;
    },
    'jobs.list': (p) => this.repo.listJobs(p.limit),
    'jobs.start': (p) => this.jobs.start(p.kind, p.kind === 'export' ? confineApiExport(p.params, this.ws.dir) : p.params),
    'jobs.cancel': (p) => this.jobs.cancel(p.jobId),
    'jobs.resume': (p) => this.jobs.resume(p.jobId),
    'models.list': () => listModels(this.repo),
    'models.bundled': () => listBundledModels(),
    'models.graded': (p) => gradedSummary(this.repo, p),
    'models.evaluate': (p) => evaluateModel(this.repo, p),
    'models.promote': (p) => promoteModel(this.repo, p),
    'consensus.summary': (p) => consensusSummary(this.repo, p.limit),
    'candidates.facets': () => this.repo.facets(),
    'samp.status': () => this.samp.status(),
    'samp.connect': (p) => this.samp.connect(p.hub),
    'samp.disconnect': () => this.samp.disconnect(),
    'samp.sendImage': (p) => this.samp.sendImage(p.sourceId, p.kind),
    'samp.sendTable': (p) => this.samp.sendTable(p),
    'samp.pointAt': (p) => this.samp.pointAt(p.sourceId),
    'posteriors.list': (p) => listPosteriors(this.ws.db, p.sourceId),
    'posterior.samples': (p) => posteriorSamples(this.ws.db, p.posteriorId, p.maxDraws),
    'posteriors.thetaE': (p) => [...thetaESummaries(this.ws.db, p.sourceIds).values()],
    'simulate.presets': () => simulatePresets(),
    'massmaps.list': () => listMassMaps(this.ws.db),
    'massmap.overlay': (p) => massMapOverlay(this.ws.db, this.ws.dir, p.productId),
    'products.list': (p) => listProducts(this.ws.db, p.sourceId, p.kind),
    'deblend.get': (p) => deblendInfo(this.ws.db, p.sourceId),
    'deblend.grid': (p) => deblendGrid(this.ws.db, p.sourceIds),
    'blend.get': (p) => blendInfo(this.ws.db, p.sourceId),
  };

  async close(): Promise<void> {
    await this.samp.close();
    await this.jobs.shutdown();
    this.ws.close();
  }
}

function safeUserName(): string {
  try {
    return userInfo().username || 'reviewer';
  } catch {
    return 'reviewer';
  }
}
