import { type Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { sensitivities } from '../files/critical-file-registry.ts';
import { createFileIngestDeps, fileRulesPath } from '../files/file-ingest-deps.ts';
import { loadFileRules } from '../files/file-rules.ts';
import { type AppDeps, bootstrap } from '../main.ts';
import {
  type FilesAddOptions,
  runFileEventIngest,
  runFilesAdd,
  runFilesImport,
  runFilesList,
  runFilesWhere,
  runRulesTest,
} from './files-commands.ts';
import { createOutput, type Output, reportError } from './output.ts';

/** The feed name of raw Incydr file events, which take the volume path instead of one case each. */
export const FILE_EVENTS_FEED = 'incydr-file-events';

/**
 * Runs a command that needs the database. NOTE: these commands open the store themselves, so with
 * embedded PGlite they fail while a server has its data directory open; stop the server first or use
 * DATABASE_URL.
 */
async function withDeps(
  json: boolean,
  run: (deps: AppDeps, out: Output) => Promise<number>,
): Promise<void> {
  let deps: AppDeps | undefined;
  try {
    deps = await bootstrap();
    process.exitCode = await run(deps, createOutput(json));
  } catch (error) {
    process.exitCode = reportError(error, json);
  } finally {
    await deps?.close().catch(() => {});
  }
}

/** Runs `ingest --feed incydr-file-events <file|->`. */
export function ingestFileEventsCommand(file: string, json: boolean): Promise<void> {
  return withDeps(json, (deps, out) => runFileEventIngest(createFileIngestDeps(deps), out, file));
}

/** Adds `files add|list|import|where` and `rules test` to the program. */
export function registerFilesCommands(program: Command): void {
  const json = () => new Option('--json', 'print one JSON document on stdout (logs go to stderr)');
  const files = program
    .command('files')
    .description('the critical-file registry and file sightings');

  files
    .command('add')
    .description('add a file to the critical-file registry, or update the entry with its hash')
    .option('--sha256 <hash>', 'SHA-256 of the file, 64 hexadecimal digits')
    .option('--md5 <hash>', 'MD5 of the file, 32 hexadecimal digits')
    .requiredOption('--label <text>', 'what the file is, as analysts should read it')
    .option('--owner <text>', 'the person or team that owns the file')
    .addOption(
      new Option('--sensitivity <level>', 'how sensitive the file is')
        .choices(sensitivities)
        .makeOptionMandatory(),
    )
    .addOption(json())
    .action((options: FilesAddOptions & { json?: boolean }) => {
      const { json: asJson, ...entry } = options;
      return withDeps(asJson === true, (deps, out) => runFilesAdd(deps.store.db, out, entry));
    });

  files
    .command('list')
    .description('list the critical-file registry')
    .addOption(json())
    .action((options: { json?: boolean }) =>
      withDeps(options.json === true, (deps, out) => runFilesList(deps.store.db, out)),
    );

  files
    .command('import')
    .description(
      'import registry entries from a CSV with the header sha256,md5,label,owner,sensitivity',
    )
    .argument('<csv>', 'CSV file, or - for standard input')
    .addOption(json())
    .action((csv: string, options: { json?: boolean }) =>
      withDeps(options.json === true, (deps, out) => runFilesImport(deps.store.db, out, csv)),
    );

  files
    .command('where')
    .description('list every sighting of a file in file events and alerts, newest first')
    .argument('<hash>', 'SHA-256 or MD5 of the file')
    .addOption(json())
    .action((hash: string, options: { json?: boolean }) =>
      withDeps(options.json === true, (deps, out) => runFilesWhere(deps.store.db, out, hash)),
    );

  const rules = program
    .command('rules')
    .description('the noise rules of the file-event volume path');
  rules
    .command('test')
    .description('show which file events a rule set would suppress or flag; stores nothing')
    .argument('<file>', 'file events (NDJSON or a fileEvents page), or - for standard input')
    .option('--rules <file>', 'rule YAML to test; default: files.rules of the configuration')
    .addOption(json())
    .action(async (file: string, options: { rules?: string; json?: boolean }) => {
      const asJson = options.json === true;
      try {
        const rulesPath = options.rules ?? fileRulesPath({ config: loadConfig(process.env) });
        const loaded = loadFileRules(rulesPath);
        process.exitCode = await runRulesTest(createOutput(asJson), loaded, file);
      } catch (error) {
        process.exitCode = reportError(error, asJson);
      }
    });
}
