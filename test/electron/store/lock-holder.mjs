// A second process that holds a run database's lock, for the lock tests: a real lock held by another program.
//   node lock-holder.mjs DB write [HOLD_MS]      BEGIN IMMEDIATE and an uncommitted write: other writers wait, readers don't
//   node lock-holder.mjs DB exclusive [HOLD_MS]  locking_mode EXCLUSIVE as well: other connections cannot even read
// Prints `locked` once it holds the lock, then lets go (rolls back, prints `released <ms since epoch>`) after
// HOLD_MS, or when its stdin closes when no HOLD_MS is given.

import Database from 'better-sqlite3';

const [path, mode, holdMs] = process.argv.slice(2);
const db = new Database(path, { fileMustExist: true });
if (mode === 'exclusive') db.pragma('locking_mode = EXCLUSIVE');
db.exec('BEGIN IMMEDIATE');
// a real pending change: the file's schema cookie moves, as any writer's would
db.exec('CREATE TABLE lock_holder_scratch (x)');
process.stdout.write('locked\n');

const release = () => {
  db.exec('ROLLBACK');
  db.close();
  process.stdout.write(`released ${Date.now()}\n`);
  process.exit(0);
};
if (holdMs) setTimeout(release, Number(holdMs));
else {
  process.stdin.resume();
  process.stdin.on('end', release);
}
