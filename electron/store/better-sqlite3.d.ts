// Types for the part of better-sqlite3 12 the store uses (the package ships no types and @types/better-sqlite3
// is not a dependency). If @types/better-sqlite3 is added to package.json, delete this file.

declare module 'better-sqlite3' {
  namespace BetterSqlite3 {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }

    interface Statement<BindParameters extends unknown[] = unknown[], Result = unknown> {
      readonly source: string;
      readonly reader: boolean;
      run(...params: BindParameters): RunResult;
      get(...params: BindParameters): Result | undefined;
      all(...params: BindParameters): Result[];
      iterate(...params: BindParameters): IterableIterator<Result>;
      pluck(toggle?: boolean): Statement<BindParameters, any>;
      raw(toggle?: boolean): Statement<BindParameters, any>;
      expand(toggle?: boolean): this;
      safeIntegers(toggle?: boolean): this;
    }

    interface Transaction<F extends (...args: any[]) => any> {
      (...args: Parameters<F>): ReturnType<F>;
      default(...args: Parameters<F>): ReturnType<F>;
      deferred(...args: Parameters<F>): ReturnType<F>;
      immediate(...args: Parameters<F>): ReturnType<F>;
      exclusive(...args: Parameters<F>): ReturnType<F>;
    }

    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
      verbose?: (message?: unknown, ...more: unknown[]) => void;
      nativeBinding?: string;
    }

    interface Database {
      readonly name: string;
      readonly open: boolean;
      readonly inTransaction: boolean;
      readonly readonly: boolean;
      readonly memory: boolean;
      prepare<BindParameters extends unknown[] = unknown[], Result = unknown>(source: string): Statement<BindParameters, Result>;
      transaction<F extends (...args: any[]) => any>(fn: F): Transaction<F>;
      exec(source: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      close(): this;
    }

    interface DatabaseConstructor {
      new (filename?: string | Buffer, options?: Options): Database;
      (filename?: string | Buffer, options?: Options): Database;
    }

    interface SqliteError extends Error {
      code: string;
    }
  }

  const Database: BetterSqlite3.DatabaseConstructor & { SqliteError: new (message: string, code: string) => BetterSqlite3.SqliteError };
  export = Database;
  export type Database = BetterSqlite3.Database;
  export type Statement<B extends unknown[] = unknown[], R = unknown> = BetterSqlite3.Statement<B, R>;
}
