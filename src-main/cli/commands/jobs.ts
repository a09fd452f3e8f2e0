import { parseArgs } from 'node:util';
import { Repo } from '../../store/repo';
import { openWorkspace } from '../../store/workspace';
import type { CliCommand } from '../command';
import { runJobCli, WORKSPACE_HELP } from '../job-runner';
import { numberOptionOr } from '../args';

export const jobsCommand: CliCommand = {
  name: 'jobs',
  summary: 'list jobs, or resume an interrupted one',
  usage: `Usage: lensdesk jobs [list] [--json] [--workspace DIR]
       lensdesk jobs resume ID [--workspace DIR]

list     recent jobs with state and progress (jobs left 'running' by a process that died are
         shown as 'interrupted')
resume   re-runs an interrupted, cancelled or failed job; finished work is skipped, never duplicated
${WORKSPACE_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, workspace: { type: 'string' }, limit: { type: 'string', default: '30' } },
    });
    const sub = positionals[0] ?? 'list';
    if (sub === 'resume') {
      const id = Number(positionals[1]);
      if (!Number.isInteger(id) || id <= 0) {
        io.err('lensdesk jobs resume: give the job id (see `lensdesk jobs`)');
        return 2;
      }
      return runJobCli(io, values.workspace, (jm) => jm.resume(id), values.json);
    }
    if (sub !== 'list') {
      io.err(this.usage);
      return 2;
    }
    const ws = openWorkspace(values.workspace);
    try {
      const repo = new Repo(ws.db);
      repo.markOrphanedJobs((pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      });
      const list = repo.listJobs(numberOptionOr(values, 'limit', 20, { integer: true, min: 1, max: 500 }));
      if (values.json) io.out(JSON.stringify(list, null, 2));
      else if (!list.length) io.out('no jobs yet');
      else
        for (const j of list)
          io.out(`#${String(j.id).padEnd(4)} ${j.kind.padEnd(8)} ${j.state.padEnd(11)} ${String(j.progress).padStart(7)}/${String(j.total).padEnd(7)} ${j.updatedAt}  ${j.error?.message ?? j.message}`);
      return 0;
    } finally {
      ws.close();
    }
  },
};
