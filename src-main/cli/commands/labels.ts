// `lensdesk labels export|import`: move label sets between machines without losing or duplicating
// a grade (uids are global; sources matched by catalog name + row). See store/label-sync.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError } from '../../../src-core/errors';
import { exportLabels, importLabels, parseLabelSet } from '../../store/label-sync';
import { openWorkspace } from '../../store/workspace';
import type { CliCommand } from '../command';
import { WORKSPACE_HELP } from '../job-runner';

const USAGE = `Usage: lensdesk labels export --out FILE.json [--reviewer NAME] [--workspace DIR] [--json]
       lensdesk labels import FILE.json [--workspace DIR] [--json]

export  writes every label (the whole append-only history, or one reviewer's) as JSON:
        {"format":"lensdesk-labels","version":1,"exportedAt":…,"labels":[{"uid","reviewer",
        "source":{"catalog","row","name"},"grade" (0–3 = X,C,B,A, or null),"tags","comment",
        "action","undoes","createdAt"}]}
import  adds the labels this workspace does not have yet (by uid): importing twice adds nothing.
        Sources are found by catalog name + row; labels of unknown sources are reported, not added.
        --json prints {"read","added","duplicates","unknownSources":[{catalog,row,n}],"reviewersCreated"}.
${WORKSPACE_HELP}`;

export const labelsCommand: CliCommand = {
  name: 'labels',
  summary: 'export or import label sets (merge grades from other machines)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        reviewer: { type: 'string' },
        workspace: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [action, file] = positionals;
    if (values.help || !action) {
      io.out(USAGE);
      return action || values.help ? 0 : 2;
    }
    if (action !== 'export' && action !== 'import') throw new InputError('BAD_ARGS', `labels: unknown action '${action}' (export or import)`);
    const ws = openWorkspace(values.workspace);
    try {
      if (action === 'export') {
        const out = values.out ?? file;
        if (!out) throw new InputError('BAD_ARGS', 'labels export: --out FILE.json is required');
        const set = exportLabels(ws.db, { reviewer: values.reviewer });
        writeFileSync(out, JSON.stringify(set, null, 1) + '\n');
        if (values.json) io.out(JSON.stringify({ path: out, labels: set.labels.length }));
        else io.err(`wrote ${set.labels.length} labels to ${out}`);
        return 0;
      }
      if (!file) throw new InputError('BAD_ARGS', 'labels import: give the FILE.json to import');
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new InputError('LABELS_READ', `${file}: ${(e as Error).message}`, { file });
      }
      const r = importLabels(ws.db, parseLabelSet(parsed, file));
      if (values.json) io.out(JSON.stringify(r));
      else {
        io.err(`${file}: ${r.read} labels read, ${r.added} added, ${r.duplicates} already present`);
        for (const u of r.unknownSources) io.err(`  skipped ${u.n} label(s) of ${u.catalog} row ${u.row}: no such source in this workspace`);
        if (r.reviewersCreated.length) io.err(`  new reviewers: ${r.reviewersCreated.join(', ')}`);
      }
      return 0;
    } finally {
      ws.close();
    }
  },
};
