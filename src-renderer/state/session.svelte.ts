// Session: who is reviewing, which workspace, which scorer and compute backend.
import type { SessionInfo } from '../../src-core/api/contract';
import { api } from '../lib/api';

class Session {
  info = $state<SessionInfo | null>(null);
  error = $state<string | null>(null);
  toast = $state<{ text: string; kind: 'info' | 'error' } | null>(null);
  private toastTimer: ReturnType<typeof setTimeout> | undefined;

  async refresh(): Promise<void> {
    try {
      this.info = await api.call('session.info', {});
      this.error = null;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  async setReviewer(name: string): Promise<void> {
    await api.call('reviewer.set', { name });
    await this.refresh();
  }

  notify(text: string, kind: 'info' | 'error' = 'info'): void {
    this.toast = { text, kind };
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toast = null), kind === 'error' ? 8000 : 2500);
  }
}

export const session = new Session();
