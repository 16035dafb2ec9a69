import { type Command, Option } from 'commander';
import { loadConfig } from '../config.ts';
import { sensitivities } from '../files/critical-file-registry.ts';
import { fileRulesPath } from '../files/file-ingest-deps.ts';
import { loadFileRules } from '../files/file-rules.ts';
import type { FilesService } from '../files/files-service.ts';
import { openFilesService } from '../files/open-files-service.ts';
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
import { identityAccessFrom } from './privacy-commands.ts';

/** The feed name of raw Incydr file events, which take the volume path instead of one case each. */
export const FILE_EVENTS_FEED = 'incydr-file-events';

/**
 * Runs a command that needs the database: on the database itself, or through the local API of
 * the server that has the embedded database open.
 */
async function withFiles(
  json: boolean,
  run: (service: FilesService, out: Output) => Promise<number>,
): Promise<void> {
  let opened: Awaited<ReturnType<typeof openFilesService>> | undefined;
  try {
    opened = await openFilesService();
    process.exitCode = await run(opened.service, createOutput(json));
  } catch (error) {
    process.exitCode = reportError(error, json);
  } finally {
    await opened?.close().catch(() => {});
  }
}

/** Runs `ingest --feed incydr-file-events <file|->`. */
export function ingestFileEventsCommand(file: string, json: boolean): Promise<void> {
  return withFiles(json, (service, out) => runFileEventIngest(service, out, file));
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
      return withFiles(asJson === true, (service, out) => runFilesAdd(service, out, entry));
    });

  files
    .command('list')
    .description('list the critical-file registry')
    .addOption(json())
    .action((options: { json?: boolean }) =>
      withFiles(options.json === true, (service, out) => runFilesList(service, out)),
    );

  files
    .command('import')
    .description(
      'import registry entries from a CSV with the header sha256,md5,label,owner,sensitivity',
    )
    .argument('<csv>', 'CSV file, or - for standard input')
    .addOption(json())
    .action((csv: string, options: { json?: boolean }) =>
      withFiles(options.json === true, (service, out) => runFilesImport(service, out, csv)),
    );

  files
    .command('where')
    .description('list every sighting of a file in file events and alerts, newest first')
    .argument('<hash>', 'SHA-256 or MD5 of the file')
    .option(
      '--reveal',
      "show the subjects' identities (hr, legal or privacy role, or security during an approved reveal of the subject's case); audited in each subject's case",
    )
    .option('--as <email>', '--reveal: the person who looks at the identities')
    .option('--reason <text>', '--reveal: why the identities are needed; audited')
    .addOption(json())
    .action(
      (hash: string, options: { json?: boolean; reveal?: boolean; as?: string; reason?: string }) =>
        withFiles(options.json === true, (service, out) =>
          runFilesWhere(service, out, hash, identityAccessFrom(options)),
        ),
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
