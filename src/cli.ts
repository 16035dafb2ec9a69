import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { caseStates } from '../workflows/case-events.ts';
import type { CaseService } from './cases/case-service.ts';
import {
  runAuditVerify,
  runCasesAct,
  runCasesList,
  runCasesShow,
  runIngest,
} from './cli/commands.ts';
import {
  FILE_EVENTS_FEED,
  ingestFileEventsCommand,
  registerFilesCommands,
} from './cli/files-program.ts';
import { runIncydrPull } from './cli/incydr.ts';
import { createOutput, EXIT_USAGE, type Output, reportError } from './cli/output.ts';
import { runPeopleImport } from './cli/people-import.ts';
import { identityAccessFrom, runCasesReveal, runPseudonymsRotate } from './cli/privacy-commands.ts';
import { registerRetentionCommands } from './cli/retention-commands.ts';
import { runDemo, runServe } from './cli/serve.ts';
import { registerWatchlistCommands } from './cli/watchlist-command.ts';
import { feedNames } from './config.ts';
import { type IncydrStream, incydrStreams } from './incydr/settings.ts';
import { bootstrap, openCaseService } from './main.ts';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

type Runner = (service: CaseService, output: Output) => Promise<number>;

/** Runs one command with the case service and turns its outcome into an exit code. */
async function execute(json: boolean, run: Runner): Promise<void> {
  let opened: Awaited<ReturnType<typeof openCaseService>> | undefined;
  try {
    opened = await openCaseService();
    process.exitCode = await run(opened.service, createOutput(json));
  } catch (error) {
    process.exitCode = reportError(error, json);
  } finally {
    await opened?.close().catch(() => {});
  }
}

/** Runs one command with the store and configuration, for commands that the case service lacks. */
async function withDeps(
  json: boolean,
  run: (deps: Awaited<ReturnType<typeof bootstrap>>, output: Output) => Promise<number>,
): Promise<void> {
  let deps: Awaited<ReturnType<typeof bootstrap>> | undefined;
  try {
    deps = await bootstrap();
    process.exitCode = await run(deps, createOutput(json));
  } catch (error) {
    process.exitCode = reportError(error, json);
  } finally {
    await deps?.close().catch(() => {});
  }
}

async function migrate(json: boolean): Promise<void> {
  try {
    const deps = await bootstrap();
    await deps.close();
    createOutput(json).result(
      { migrated: true, store: deps.store.kind },
      () => `Migrations applied (${deps.store.kind}).`,
    );
  } catch (error) {
    process.exitCode = reportError(error, json);
  }
}

export function buildProgram(): Command {
  const program = new Command('casebridge')
    .version(packageVersion)
    .description(
      'Insider-risk case work in chat: detection feeds become cases that HR, managers and Legal decide.',
    )
    .showHelpAfterError()
    .exitOverride();
  const json = new Option('--json', 'print one JSON document on stdout (logs go to stderr)');

  program
    .command('serve')
    .description('run the HTTP server on PORT (default 3000); applies migrations first')
    .addOption(json)
    .action((options: { json?: boolean }) => runServe(options.json === true));

  program
    .command('demo')
    .description('load the example directory, ingest the sample detections once, and serve')
    .addOption(json)
    .action((options: { json?: boolean }) => runDemo(options.json === true));

  program
    .command('migrate')
    .description('apply database migrations')
    .addOption(json)
    .action((options: { json?: boolean }) => migrate(options.json === true));

  program
    .command('ingest')
    .description(
      'ingest detections from a file (JSON object, array, vendor page, or NDJSON), or - for stdin',
    )
    .addOption(
      new Option('--feed <feed>', 'the source format')
        .choices([...feedNames, FILE_EVENTS_FEED])
        .makeOptionMandatory(),
    )
    .argument('<file>', 'file to read, or - for standard input')
    .addOption(json)
    .action((file: string, options: { feed: string; json?: boolean }) =>
      options.feed === FILE_EVENTS_FEED
        ? ingestFileEventsCommand(file, options.json === true)
        : execute(options.json === true, (service, output) =>
            runIngest(service, output, options.feed, file),
          ),
    );

  const cases = program.command('cases').description('list, show and act on cases');
  cases
    .command('list')
    .description('list cases, oldest first')
    .addOption(new Option('--state <state>', 'only cases in this state').choices(caseStates))
    .addOption(json)
    .action((options: { state?: string; json?: boolean }) =>
      execute(options.json === true, (service, output) =>
        runCasesList(service, output, options.state),
      ),
    );
  cases
    .command('show')
    .description(
      'show a case: state, audiences, signals and the full audit timeline; the subject appears as a pseudonym unless --reveal is given',
    )
    .argument('<case>', 'case key (CB-0001) or id')
    .option(
      '--reveal',
      "show the subject's identity (hr, legal or privacy role, or security during an approved reveal); audited",
    )
    .option('--as <email>', '--reveal: the person who looks at the identity')
    .option('--reason <text>', '--reveal: why the identity is needed; audited')
    .addOption(json)
    .action(
      (
        reference: string,
        options: { json?: boolean; reveal?: boolean; as?: string; reason?: string },
      ) =>
        execute(options.json === true, (service, output) =>
          runCasesShow(service, output, reference, identityAccessFrom(options)),
        ),
    );
  cases
    .command('reveal')
    .description(
      "request, approve or reject showing a subject's identity to security in the case's security thread",
    )
    .argument('<step>', 'request (security), approve or reject (hr or privacy role)')
    .argument('<case>', 'case key (CB-0001) or id')
    .requiredOption('--as <email>', 'e-mail of the person acting')
    .option(
      '--reason <text>',
      'request: why security needs the identity (required); approve, reject: optional note',
    )
    .addOption(json)
    .action(
      (
        step: string,
        reference: string,
        options: { json?: boolean; as?: string; reason?: string },
      ) =>
        execute(options.json === true, (service, output) =>
          runCasesReveal(service, output, step, reference, options),
        ),
    );

  program
    .command('pseudonyms')
    .description('manage the key subject pseudonyms are derived from')
    .command('rotate')
    .description('replace the pseudonym key, so every subject gets a new pseudonym; audited')
    .requiredOption('--as <email>', 'e-mail of the administrator who rotates the key')
    .addOption(json)
    .action((options: { json?: boolean; as?: string }) =>
      execute(options.json === true, (service, output) =>
        runPseudonymsRotate(service, output, options),
      ),
    );
  cases
    .command('act')
    .description('send an event to a case as a person, with the same rules as chat')
    .argument('<case>', 'case key (CB-0001) or id')
    .argument(
      '<event>',
      'ASSIGN, NOTE, DISMISS, ESCALATE, CHOOSE_RESPONSE, RETURN_TO_SECURITY, RECORD_CONVERSATION, ACKNOWLEDGE, CLOSE, APPROVE, REJECT, RECORD_ACTION, REOPEN or LEGAL_HOLD',
    )
    .requiredOption(
      '--as <email>',
      'e-mail of the person acting; their roles come from the configuration',
    )
    .option('--reason <text>', 'the reason, summary, question or notes the event needs')
    .option(
      '--response <response>',
      'CHOOSE_RESPONSE: corrective_conversation, involve_manager or serious_action',
    )
    .option(
      '--action <action>',
      'CHOOSE_RESPONSE serious_action: written_warning, access_revocation, suspension, termination or law_enforcement_referral',
    )
    .option(
      '--outcome <outcome>',
      'DISMISS: false_positive, benign or no_action; CLOSE: resolved or no_further_action',
    )
    .option('--assignee <email>', 'ASSIGN: the analyst who takes the case')
    .option('--release', 'LEGAL_HOLD: release the hold instead of placing it')
    .addOption(json)
    .action(
      (
        reference: string,
        eventType: string,
        options: Record<string, string | boolean | undefined>,
      ) =>
        execute(options.json === true, (service, output) =>
          runCasesAct(service, output, reference, eventType, options as never),
        ),
    );

  const peopleCommand = program.command('people').description('the directory of people');
  peopleCommand
    .command('import')
    .description(
      'import people from a CSV file (columns: email, name, manager_email, department, employee_number, locale, country, time_zone, hire_date, notice_date, last_working_day, active, source_id, ids); writes only differences; exits 1 when rows were rejected',
    )
    .argument('<file>', 'CSV file with a header row')
    .option('--dry-run', 'print what would change and write nothing')
    .option('--deactivate-missing', 'deactivate active people whom the file does not list')
    .addOption(json)
    .action(
      async (
        file: string,
        options: { dryRun?: boolean; deactivateMissing?: boolean; json?: boolean },
      ) => {
        const isJson = options.json === true;
        try {
          process.exitCode = await runPeopleImport(createOutput(isJson), file, {
            dryRun: options.dryRun === true,
            deactivateMissing: options.deactivateMissing === true,
          });
        } catch (error) {
          process.exitCode = reportError(error, isJson);
        }
      },
    );
  registerFilesCommands(program);

  const audit = program.command('audit').description('the tamper-evident audit trail');
  audit
    .command('verify')
    .description('check every hash chain; exits 1 and names the first broken event when it fails')
    .addOption(json)
    .action((options: { json?: boolean }) =>
      execute(options.json === true, (service, output) => runAuditVerify(service, output)),
    );

  program
    .command('incydr')
    .description('the Incydr API pull')
    .command('pull')
    .description('pull sessions and file events from Incydr once, from where the last pull stopped')
    .addOption(
      new Option(
        '--stream <stream>',
        'pull only this stream; the configured ones by default',
      ).choices(incydrStreams),
    )
    .addOption(json)
    .action((options: { stream?: IncydrStream; json?: boolean }) =>
      withDeps(options.json === true, (deps, output) =>
        runIncydrPull(deps, output, options.stream),
      ),
    );

  registerRetentionCommands(program, json);
  registerWatchlistCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`casebridge … | head`) closes the pipe. The output is not wanted any
  // more, so the command ends quietly rather than with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(
        error.code,
      );
      process.exitCode = benign ? 0 : EXIT_USAGE;
      // Commander has written its message to stderr; a --json caller still gets a document on stdout.
      if (!benign && argv.includes('--json')) {
        const message = error.message.replace(/^error: /, '');
        process.stdout.write(
          `${JSON.stringify({ error: { code: 'USAGE_INVALID', message } }, null, 2)}\n`,
        );
      }
      return;
    }
    throw error;
  }
}
