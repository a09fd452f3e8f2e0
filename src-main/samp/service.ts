// LensDesk as a SAMP client (IVOA SAMP 1.3): connect to the hub found by lockfile discovery, send
// the current candidate's cutout to DS9 (image.load.fits), the candidate table to TOPCAT
// (table.load.votable), point at a candidate (coord.pointAt.sky), and select the candidate whose
// row another tool highlights (table.highlight.row). Files go out through capability URLs
// (share-server.ts), never the browser-mode token.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SampSent, SampStatus } from '../../src-core/api/contract';
import { InputError, NotFoundError } from '../../src-core/errors';
import { resolveImagePath } from '../api/images';
import { buildExport } from '../export/catalog-export';
import type { Repo } from '../store/repo';
import { SampClient, type SampMap } from './client';
import { readHubInfo, lockfilePath } from './lockfile';
import { ShareServer } from './share-server';

export interface SampServiceHost {
  repo: Repo;
  workspaceDir: string;
  reviewerId(): number;
  onStatus(s: SampStatus): void;
  onHighlight(sourceId: number, sender: string): void;
}

export class SampService {
  private client: SampClient | null = null;
  private readonly shares = new ShareServer();
  private hub: string | null = null;
  private error: string | null = null;
  private last: string | null = null;
  /** Tables we sent: table-id and URL → source ids in row order (for table.highlight.row). */
  private readonly tables = new Map<string, number[]>();

  constructor(private readonly host: SampServiceHost) {}

  async status(): Promise<SampStatus> {
    const c = this.client;
    const clients: SampStatus['clients'] = [];
    if (c) {
      try {
        const ids = (await c.getRegisteredClients()).filter((id) => id !== c.hubId && id !== c.selfId);
        const subs = async (mtype: string) => new Set(await c.getSubscribedClients(mtype));
        const [img, tab, sky] = await Promise.all([subs('image.load.fits'), subs('table.load.votable'), subs('coord.pointAt.sky')]);
        for (const id of ids) {
          const meta = await c.getMetadata(id).catch(() => ({}) as SampMap);
          clients.push({ id, name: String(meta['samp.name'] ?? id), image: img.has(id), table: tab.has(id), sky: sky.has(id) });
        }
      } catch (e) {
        // The hub went away: report it and drop the client so a reconnect starts clean.
        this.error = `hub not reachable: ${(e as Error).message}`;
        await this.drop();
      }
    }
    return { connected: !!this.client, hub: this.hub, selfId: this.client?.selfId ?? null, clients, error: this.error, last: this.last };
  }

  private async publish(): Promise<SampStatus> {
    const s = await this.status();
    this.host.onStatus(s);
    return s;
  }

  async connect(hubLockUrl?: string): Promise<SampStatus> {
    await this.drop();
    const env = hubLockUrl ? { ...process.env, SAMP_HUB: hubLockUrl } : process.env;
    try {
      const hub = readHubInfo(env);
      this.client = await SampClient.connect({ hub });
      this.hub = hub.entries['samp.hub.name'] ? `${hub.entries['samp.hub.name']} (${hub.lockfile})` : hub.lockfile;
      await this.client.onHighlightRow(({ tableId, url, row, sender }) => this.highlight(tableId, url, row, sender));
      this.error = null;
      this.last = `registered as ${this.client.selfId}`;
    } catch (e) {
      this.error = (e as Error).message;
      this.hub = safeLockPath(env);
    }
    return this.publish();
  }

  async disconnect(): Promise<SampStatus> {
    await this.drop();
    this.last = 'disconnected';
    return this.publish();
  }

  private async drop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.close().catch(() => undefined);
  }

  private need(): SampClient {
    if (!this.client) throw new InputError('SAMP_NOT_CONNECTED', 'not connected to a SAMP hub: connect first (start TOPCAT or another hub)');
    return this.client;
  }

  async sendImage(sourceId: number, kind: 'stamp' | 'context'): Promise<SampSent> {
    const c = this.need();
    const cand = this.host.repo.getCandidate(sourceId, this.host.reviewerId());
    const cut = cand.cutouts.find((x) => x.kind === kind);
    if (!cut) throw new NotFoundError('NO_CUTOUT', `${cand.name} has no ${kind} cutout`, { sourceId });
    const { file } = resolveImagePath(this.host.workspaceDir, this.host.repo, cut.path);
    const url = await this.shares.share(file, `${cand.name}-${kind}.fits`);
    const recipients = await c.loadFitsImage(url, { imageId: `lensdesk-${sourceId}-${kind}`, name: `${cand.name} (${kind})` }) as string[];
    this.last = `image.load.fits ${cand.name} → ${recipients.length} client(s)`;
    void this.publish();
    return { url, recipients };
  }

  async sendTable(p: { minConsensus?: number; minScore?: number }): Promise<SampSent> {
    const c = this.need();
    const { bytes, nRows, sourceIds } = buildExport(this.host.repo, { format: 'votable', ...p });
    const dir = join(this.host.workspaceDir, 'exports');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `samp-${new Date().toISOString().replace(/[:.]/g, '-')}.vot`);
    writeFileSync(file, bytes);
    const url = await this.shares.share(file, 'lensdesk-candidates.vot');
    const tableId = `lensdesk-${Date.now()}`;
    this.tables.set(tableId, sourceIds);
    this.tables.set(url, sourceIds);
    const recipients = (await c.loadVoTable(url, { tableId, name: `LensDesk candidates (${nRows})` })) as string[];
    this.last = `table.load.votable ${nRows} rows → ${recipients.length} client(s)`;
    void this.publish();
    return { url, recipients, rows: nRows };
  }

  async pointAt(sourceId: number): Promise<SampSent> {
    const c = this.need();
    const cand = this.host.repo.getCandidate(sourceId, this.host.reviewerId());
    if (cand.ra === null || cand.dec === null) throw new InputError('NO_POSITION', `${cand.name} has no RA/Dec`, { sourceId });
    const recipients = (await c.pointAtSky(cand.ra, cand.dec)) as string[];
    this.last = `coord.pointAt.sky ${cand.name} → ${recipients.length} client(s)`;
    void this.publish();
    return { url: '', recipients };
  }

  private highlight(tableId: string, url: string, row: number, sender: string): void {
    const ids = this.tables.get(tableId) ?? this.tables.get(url);
    if (!ids) throw new Error(`table.highlight.row: unknown table '${tableId || url}' (not sent by this LensDesk)`);
    const sourceId = ids[row];
    if (sourceId === undefined) throw new Error(`table.highlight.row: row ${row} is outside the table (${ids.length} rows)`);
    this.last = `table.highlight.row ${row} from ${sender}`;
    this.host.onHighlight(sourceId, sender);
    void this.publish();
  }

  async close(): Promise<void> {
    await this.drop();
    await this.shares.close();
  }
}

function safeLockPath(env: NodeJS.ProcessEnv): string | null {
  try {
    return lockfilePath(env);
  } catch {
    return null;
  }
}
