// Incremental CSV/TSV record parser (RFC 4180: quoted fields, "" escapes, newlines inside quotes,
// CRLF or LF). Text arrives in arbitrary chunks; complete records come out as soon as their line
// ends, so a catalog of any size streams through in bounded memory. Lines starting with '#'
// outside quotes are comments (LensDesk's own CSV export writes its provenance block that way).

export interface CsvRecord {
  fields: string[];
  /** 1-based line number where the record starts. */
  line: number;
}

export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** The previous character was a closing quote (a following '"' means an escaped quote). */
  private quoteClosed = false;
  private atLineStart = true;
  private inComment = false;
  private line = 1;
  private recordLine = 1;
  private pendingCR = false;

  constructor(private delimiter: string | undefined = undefined) {}

  /** Delimiter in use: given, or detected from the first record (comma, tab, semicolon, '|'). */
  get separator(): string | undefined {
    return this.delimiter;
  }

  private detect(text: string, from: number): void {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    const first = text.slice(from, end);
    const counts = [',', '\t', ';', '|'].map((d) => [d, first.split(d).length - 1] as const);
    counts.sort((a, b) => b[1] - a[1]);
    this.delimiter = counts[0][1] > 0 ? counts[0][0] : ',';
  }

  /** Parses a chunk; returns the records completed by it. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.pendingCR) {
        this.pendingCR = false;
        if (ch === '\n') continue; // CRLF already ended the record
      }
      if (this.inComment) {
        if (ch === '\n' || ch === '\r') {
          this.inComment = false;
          this.line++;
          this.atLineStart = true;
          if (ch === '\r') this.pendingCR = true;
        }
        continue;
      }
      if (this.atLineStart && !this.inQuotes) {
        if (ch === '#') {
          this.inComment = true;
          continue;
        }
        if (this.delimiter === undefined && ch !== '\n' && ch !== '\r') this.detect(text, i);
        // Fast path: a whole line inside this chunk without quotes is split natively.
        const nl = text.indexOf('\n', i);
        if (nl >= 0) {
          let line = text.slice(i, nl);
          if (line.indexOf('"') < 0 && line.indexOf('\r') < 0 || (line.endsWith('\r') && line.indexOf('\r') === line.length - 1 && line.indexOf('"') < 0)) {
            if (line.endsWith('\r')) line = line.slice(0, -1);
            if (line.trim() !== '') out.push({ fields: line.split(this.delimiter!), line: this.line });
            this.line++;
            i = nl;
            continue;
          }
        }
        this.recordLine = this.line;
        this.atLineStart = false;
      }
      if (this.inQuotes) {
        if (ch === '"') {
          this.inQuotes = false;
          this.quoteClosed = true;
        } else {
          if (ch === '\n') this.line++;
          this.field += ch;
        }
        continue;
      }
      if (ch === '"') {
        if (this.quoteClosed) this.field += '"'; // "" inside a quoted field
        this.inQuotes = true;
        this.quoteClosed = false;
        continue;
      }
      this.quoteClosed = false;
      if (ch !== this.delimiter && ch !== '\n' && ch !== '\r') {
        // Fast path: copy a run of ordinary characters with one slice.
        let j = i + 1;
        const delim = this.delimiter;
        while (j < text.length) {
          const c = text[j];
          if (c === delim || c === '\n' || c === '\r' || c === '"') break;
          j++;
        }
        this.field += text.slice(i, j);
        i = j - 1;
        continue;
      }
      if (ch === this.delimiter) {
        this.fields.push(this.field);
        this.field = '';
      } else if (ch === '\n' || ch === '\r') {
        this.fields.push(this.field);
        this.field = '';
        const rec = { fields: this.fields, line: this.recordLine };
        this.fields = [];
        if (!(rec.fields.length === 1 && rec.fields[0].trim() === '')) out.push(rec); // skip blank lines
        this.line++;
        this.atLineStart = true;
        if (ch === '\r') this.pendingCR = true;
      } else {
        this.field += ch;
      }
    }
    return out;
  }

  /** Flushes the last record when the text does not end with a newline. */
  end(): CsvRecord[] {
    if (this.atLineStart || this.inComment) return [];
    this.fields.push(this.field);
    const rec = { fields: this.fields, line: this.recordLine };
    this.fields = [];
    this.field = '';
    this.atLineStart = true;
    return rec.fields.length === 1 && rec.fields[0].trim() === '' ? [] : [rec];
  }

  /** True when the text ended inside a quoted field (malformed file). */
  get unterminatedQuote(): boolean {
    return this.inQuotes;
  }
}
