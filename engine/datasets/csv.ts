// A CSV file's text → samples: a header row, numeric feature columns and one label column.
// A pure function over the text (the caller reads the file), so it runs anywhere.

import { DatasetError, type Samples } from './types';

/** Larger files are refused with a message saying so, before anything big is allocated. */
export const MAX_CSV_ROWS = 1_000_000;
export const MAX_CSV_COLUMNS = 10_000;
export const MAX_CSV_CELLS = 50_000_000;
/** Integer labels are class indices; beyond this they are refused (as a likely wrong label column). */
export const MAX_CLASSES = 1000;

export interface CsvOptions {
  /** The file's name for messages, e.g. "data.csv" (default "the CSV file"). */
  name?: string;
  /** The label column's header name (default: the last column). */
  labelColumn?: string;
}

export interface CsvData {
  samples: Samples;
  classes: number;
  featureNames: string[];
  classNames: string[];
}

interface Record {
  line: number; // 1-based line on which the record starts
  fields: string[];
  quoted: boolean[];
}

/**
 * Splits CSV text into records (RFC 4180: comma separated, "double quotes" around fields that
 * hold commas, quotes ("") or line breaks). Accepts LF and CRLF, a leading BOM, and skips lines
 * that are empty or only whitespace.
 */
function* records(text: string, name: string): Generator<Record> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const len = text.length;
  let line = 1;
  while (i < len) {
    const start = line;
    const fields: string[] = [];
    const quoted: boolean[] = [];
    let field = '';
    let isQuoted = false;
    let endOfRecord = false;
    while (!endOfRecord) {
      const c = text[i];
      if (i >= len) {
        endOfRecord = true;
      } else if (c === '"' && field.trim() === '' && !isQuoted) {
        // a quoted field: read to the closing quote
        isQuoted = true;
        field = '';
        i++;
        for (;;) {
          if (i >= len) {
            throw new DatasetError(`${name} line ${start}: a quoted field is never closed; add the closing " (or remove the stray one)`);
          }
          const q = text[i];
          if (q === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (q === '\n') line++;
          field += q;
          i++;
        }
        // only spaces may follow the closing quote before the separator
        while (i < len && (text[i] === ' ' || text[i] === '\t')) i++;
        if (i < len && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new DatasetError(
            `${name} line ${line}: unexpected text after a closing quote in field ${fields.length + 1}; a quoted field must end at a comma or the end of the line`,
          );
        }
      } else if (c === ',') {
        fields.push(field);
        quoted.push(isQuoted);
        field = '';
        isQuoted = false;
        i++;
      } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
        i += c === '\r' ? 2 : 1;
        line++;
        endOfRecord = true;
      } else if (isQuoted) {
        field += c; // spaces after a closing quote were skipped; nothing else reaches here
        i++;
      } else {
        field += c;
        i++;
      }
    }
    fields.push(field);
    quoted.push(isQuoted);
    if (fields.length === 1 && !quoted[0] && fields[0].trim() === '') continue; // blank line
    yield { line: start, fields, quoted };
  }
}

// A decimal number as Python's float() and numpy's loadtxt read it (no hex, no empty string).
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function list(names: string[]): string {
  return names.map((h) => JSON.stringify(h)).join(', ');
}

/**
 * Reads CSV text into samples. The header names the columns; the label column is
 * `labelColumn` (default the last). Feature values must be numbers. Labels that are all
 * non-negative integers are the class indices themselves (classes = max + 1); any other labels
 * are sorted as strings and numbered 0..K−1 (classNames keeps them). Throws DatasetError with the
 * line, column and fix for anything it cannot use.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvData {
  const name = options.name ?? 'the CSV file';
  const it = records(text, name);
  const first = it.next();
  if (first.done) {
    throw new DatasetError(`${name} is empty; it needs a header row (the column names) and at least 2 rows of samples`);
  }
  const header = first.value.fields.map((h) => h.trim());
  const cols = header.length;
  if (cols > MAX_CSV_COLUMNS) {
    throw new DatasetError(`${name} has ${cols} columns; at most ${MAX_CSV_COLUMNS} are supported`);
  }
  header.forEach((h, c) => {
    if (h === '') throw new DatasetError(`${name} line ${first.value.line}: column ${c + 1} has no name; give every column a name in the header row`);
    const other = header.indexOf(h);
    if (other !== c) {
      throw new DatasetError(`${name} line ${first.value.line}: the column name ${JSON.stringify(h)} appears twice (columns ${other + 1} and ${c + 1}); give every column a distinct name`);
    }
  });
  const labelName = options.labelColumn ?? header[cols - 1];
  const labelCol = header.indexOf(labelName);
  if (labelCol < 0) {
    throw new DatasetError(`${name} has no column ${JSON.stringify(labelName)}; its columns are ${list(header)} — set the label column to one of them`);
  }
  if (cols < 2) {
    throw new DatasetError(`${name} has only the column ${JSON.stringify(labelName)}; it needs at least one feature column besides the label`);
  }
  const featureNames = header.filter((_, c) => c !== labelCol);
  const features = cols - 1;
  const maxRows = Math.min(MAX_CSV_ROWS, Math.floor(MAX_CSV_CELLS / cols));

  let X = new Float64Array(Math.min(1024, maxRows) * features);
  const labels: string[] = [];
  for (const rec of it) {
    if (rec.fields.length !== cols) {
      throw new DatasetError(
        `${name} line ${rec.line} has ${rec.fields.length} field${rec.fields.length === 1 ? '' : 's'} but the header has ${cols}; every row needs one value per column`,
      );
    }
    const row = labels.length;
    if (row >= maxRows) {
      throw new DatasetError(`${name} has more than ${maxRows} rows; at most ${maxRows} rows of ${cols} columns are supported — use a sample of the file`);
    }
    if ((row + 1) * features > X.length) {
      const bigger = new Float64Array(Math.min(2 * X.length, maxRows * features));
      bigger.set(X);
      X = bigger;
    }
    let k = 0;
    for (let c = 0; c < cols; c++) {
      const raw = rec.fields[c].trim();
      if (c === labelCol) {
        if (raw === '') {
          throw new DatasetError(`${name} line ${rec.line}, column ${JSON.stringify(labelName)}: the label is empty; every row needs a label`);
        }
        labels.push(raw);
        continue;
      }
      if (raw === '') {
        throw new DatasetError(
          `${name} line ${rec.line}, column ${JSON.stringify(header[c])}: the value is missing; feature columns must be numeric (fill it in or remove the row)`,
        );
      }
      if (!NUMBER.test(raw)) {
        throw new DatasetError(`${name} line ${rec.line}, column ${JSON.stringify(header[c])}: ${JSON.stringify(raw)} is not a number; feature columns must be numeric`);
      }
      const v = Number(raw);
      if (!Number.isFinite(v)) {
        throw new DatasetError(`${name} line ${rec.line}, column ${JSON.stringify(header[c])}: ${raw} is too large for a 64-bit float; feature columns must be finite numbers`);
      }
      X[row * features + k++] = v;
    }
  }
  const n = labels.length;
  if (n === 0) {
    throw new DatasetError(`${name} has a header but no data rows; add at least 2 rows of samples below it`);
  }
  if (n < 2) {
    throw new DatasetError(`${name} has only 1 data row; at least 2 are needed`);
  }

  const y = new Float64Array(n);
  let classNames: string[];
  const asIndex = labels.map((l) => (NUMBER.test(l) ? Number(l) : NaN));
  if (asIndex.every((v) => Number.isInteger(v) && v >= 0)) {
    let max = 0;
    asIndex.forEach((v, i) => {
      if (v >= MAX_CLASSES) {
        throw new DatasetError(
          `${name}: the label ${labels[i]} in column ${JSON.stringify(labelName)} is too large; integer labels are class indices from 0 to ${MAX_CLASSES - 1} (is ${JSON.stringify(labelName)} the label column?)`,
        );
      }
      y[i] = v;
      if (v > max) max = v;
    });
    classNames = Array.from({ length: max + 1 }, (_, c) => String(c));
  } else {
    classNames = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (classNames.length > MAX_CLASSES) {
      throw new DatasetError(`${name}: column ${JSON.stringify(labelName)} has ${classNames.length} distinct labels; at most ${MAX_CLASSES} classes are supported (is it the label column?)`);
    }
    const index = new Map(classNames.map((c, i) => [c, i]));
    labels.forEach((l, i) => {
      y[i] = index.get(l)!;
    });
  }
  // Counted over the rows, not the class names: integer labels name classes 0..max, so a column of 1s alone would
  // otherwise read as two classes (0 never seen) and train to a meaningless 100 %. All 1s is refused as all 0s is.
  if (new Set(y).size < 2) {
    throw new DatasetError(`${name}: every row has the label ${JSON.stringify(labels[0])}; a classifier needs at least 2 classes in column ${JSON.stringify(labelName)}`);
  }
  return {
    samples: { X: X.length === n * features ? X : X.slice(0, n * features), y, n, features },
    classes: classNames.length,
    featureNames,
    classNames,
  };
}
